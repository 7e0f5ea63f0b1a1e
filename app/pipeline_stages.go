package app

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/store"
)

// stageKinds are the kinds a stage may have, in the form's order.
var stageKinds = []string{store.StageOpen, store.StageWon, store.StageLost}

// stageForm is the stage form as typed.
type stageForm struct {
	ID          int64
	NameZH      string
	NameEN      string
	Position    string
	Probability string
	Kind        string
	InUse       int
}

// adminStages lists the stages (阶段设置) with a form for a new one.
func (s *Server) adminStages(c *fiber.Ctx) error {
	return s.renderStages(c, fiber.StatusOK, &stageForm{Kind: store.StageOpen}, nil, "")
}

// adminStageEdit shows the list with the form filled for one stage.
func (s *Server) adminStageEdit(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	stages, err := s.store.StagesInUse(c.UserContext(), loc(c).Lang)
	if err != nil {
		return err
	}
	st := stageOf(stages, id)
	if st == nil {
		return store.ErrNotFound
	}
	f := &stageForm{ID: st.ID, NameZH: st.NameZH, NameEN: st.NameEN, Position: strconv.Itoa(st.Position),
		Probability: strconv.Itoa(st.Probability), Kind: st.Kind, InUse: st.InUse}
	return s.renderStages(c, fiber.StatusOK, f, nil, "")
}

func (s *Server) renderStages(c *fiber.Ctx, status int, f *stageForm, errs map[string]string, alert string) error {
	stages, err := s.store.StagesInUse(c.UserContext(), loc(c).Lang)
	if err != nil {
		return err
	}
	data := s.page(c, "pipe.stages.title")
	data["Stages"], data["Form"], data["Kinds"] = stages, f, stageKinds
	if errs == nil {
		errs = map[string]string{}
	}
	data["Errors"], data["Error"] = errs, alert
	data["P"] = s.pipe(c)
	return c.Status(status).Render("admin/stages", data)
}

// readStageForm parses the posted stage form.
func readStageForm(c *fiber.Ctx, f *stageForm) (store.StageInput, map[string]store.Msg) {
	bad := map[string]store.Msg{}
	f.NameZH = strings.TrimSpace(c.FormValue("name_zh"))
	f.NameEN = strings.TrimSpace(c.FormValue("name_en"))
	f.Position = strings.TrimSpace(c.FormValue("position"))
	f.Probability = strings.TrimSpace(c.FormValue("probability"))
	f.Kind = c.FormValue("kind")
	in := store.StageInput{NameZH: &f.NameZH, NameEN: &f.NameEN, Kind: &f.Kind}
	if f.Position != "" {
		n, err := strconv.Atoi(f.Position)
		if err != nil {
			bad["position"] = store.M("err.pools_number")
		} else {
			in.Position = &n
		}
	}
	n, err := strconv.Atoi(f.Probability)
	if err != nil {
		bad["probability"] = store.M("err.probability")
	} else {
		in.Probability = &n
	}
	return in, bad
}

var stageFormFields = []string{"name_zh", "name_en", "position", "probability", "kind"}

func (s *Server) adminStageCreate(c *fiber.Ctx) error { return s.adminStageSave(c, 0) }

func (s *Server) adminStageUpdate(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	return s.adminStageSave(c, id)
}

func (s *Server) adminStageSave(c *fiber.Ctx, id int64) error {
	f := &stageForm{ID: id}
	in, bad := readStageForm(c, f)
	if len(bad) > 0 {
		return s.renderStages(c, fiber.StatusBadRequest, f, msgs(c, bad), "")
	}
	if _, err := s.store.SaveStage(c.UserContext(), currentUser(c), id, in); err != nil {
		if !userFacing(err) {
			return err
		}
		errs, alert := formErrors(c, err, stageFormFields)
		return s.renderStages(c, statusOf[mustCode(err)], f, errs, alert)
	}
	s.setFlash(c, "flash.saved")
	return c.Redirect("/admin/stages", fiber.StatusSeeOther)
}

// adminStageDelete deletes an unused stage; a stage in use stays, and the
// list says why.
func (s *Server) adminStageDelete(c *fiber.Ctx) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteStage(c.UserContext(), currentUser(c), id); err != nil {
		if !userFacing(err) {
			return err
		}
		_, alert := formErrors(c, err, nil)
		return s.renderStages(c, statusOf[mustCode(err)], &stageForm{Kind: store.StageOpen}, nil, alert)
	}
	s.setFlash(c, "pipe.flash.stage_deleted")
	return c.Redirect("/admin/stages", fiber.StatusSeeOther)
}

// mustCode is the code of a user-facing store error.
func mustCode(err error) string {
	if e, ok := store.AsError(err); ok {
		return e.Code
	}
	return ""
}
