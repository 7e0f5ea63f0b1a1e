package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Stage kinds.
const (
	StageOpen = "open"
	StageWon  = "won"
	StageLost = "lost"
)

// Stage is one step of the sales cycle (销售阶段).
type Stage struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	NameZH      string `json:"name_zh"`
	NameEN      string `json:"name_en"`
	Position    int    `json:"position"`
	Probability int    `json:"probability"`
	Kind        string `json:"kind"`
	InUse       int    `json:"in_use"`
}

// StageInput creates or edits a stage.
type StageInput struct {
	NameZH      *string `json:"name_zh"`
	NameEN      *string `json:"name_en"`
	Position    *int    `json:"position"`
	Probability *int    `json:"probability"`
	Kind        *string `json:"kind"`
}

// Localize sets Name to the stage's name in lang.
func (st *Stage) Localize(lang string) {
	st.Name = st.NameZH
	if lang == "en" {
		st.Name = st.NameEN
	}
}

// Stages lists the stages in board order, names in lang. InUse is not
// filled: counting every opportunity per stage costs tens of milliseconds
// at 300,000 opportunities, and the board and forms never need it.
func (s *Store) Stages(ctx context.Context, lang string) ([]*Stage, error) {
	return stagesQ(ctx, s.r, lang, "0")
}

// StagesInUse is Stages with InUse counted, for the stage admin page and
// API, where "how many opportunities sit here" decides what may be deleted.
func (s *Store) StagesInUse(ctx context.Context, lang string) ([]*Stage, error) {
	return stagesQ(ctx, s.r, lang, inUseCount)
}

const inUseCount = `(SELECT count(*) FROM opportunities o WHERE o.stage_id = st.id AND o.deleted_at IS NULL)`

func stagesQ(ctx context.Context, q querier, lang, inUse string) ([]*Stage, error) {
	rows, err := q.QueryContext(ctx, `SELECT st.id, st.name_zh, st.name_en, st.position, st.probability, st.kind, `+inUse+`
		FROM stages st ORDER BY st.position, st.id`)
	if err != nil {
		return nil, fmt.Errorf("store: stages: %w", err)
	}
	defer rows.Close()
	out := []*Stage{}
	for rows.Next() {
		var st Stage
		if err := rows.Scan(&st.ID, &st.NameZH, &st.NameEN, &st.Position, &st.Probability, &st.Kind, &st.InUse); err != nil {
			return nil, err
		}
		st.Localize(lang)
		out = append(out, &st)
	}
	return out, rows.Err()
}

func stageByID(ctx context.Context, q querier, id int64) (*Stage, error) {
	var st Stage
	err := q.QueryRowContext(ctx, `SELECT id, name_zh, name_en, position, probability, kind FROM stages WHERE id = ?`, id).
		Scan(&st.ID, &st.NameZH, &st.NameEN, &st.Position, &st.Probability, &st.Kind)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &Error{Code: CodeInvalid, Msg: M("err.invalid"), Fields: map[string]Msg{"stage_id": M("err.stage_unknown")}}
	}
	if err != nil {
		return nil, fmt.Errorf("store: stage %d: %w", id, err)
	}
	st.Localize("zh-CN")
	return &st, nil
}

func (in *StageInput) validate(creating bool) fieldErrors {
	fe := fieldErrors{}
	for f, p := range map[string]*string{"name_zh": in.NameZH, "name_en": in.NameEN} {
		if p != nil {
			*p = strings.TrimSpace(*p)
		}
		if (creating || p != nil) && (deref(p) == "" || utf8.RuneCountInString(deref(p)) > 50) {
			fe.add(f, "err.length", "Min", 1, "Max", 50)
		}
	}
	if in.Probability != nil && (*in.Probability < 0 || *in.Probability > 100) {
		fe.add("probability", "err.probability")
	}
	if creating && in.Probability == nil {
		fe.add("probability", "err.probability")
	}
	if (creating || in.Kind != nil) && !oneOf(deref(in.Kind), []string{StageOpen, StageWon, StageLost}) {
		fe.add("kind", "err.stage_kind")
	}
	return fe
}

// SaveStage creates (id 0) or edits a stage; admins only. Renaming keeps
// history intact because history refers to stage ids.
func (s *Store) SaveStage(ctx context.Context, actor *User, id int64, in StageInput) (*Stage, error) {
	if !actor.IsAdmin() {
		return nil, ErrForbidden
	}
	if err := in.validate(id == 0).err(); err != nil {
		return nil, err
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if id == 0 {
			pos := 0
			if in.Position != nil {
				pos = *in.Position
			} else if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(position), 0) + 1 FROM stages`).Scan(&pos); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO stages (name_zh, name_en, position, probability, kind, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
				*in.NameZH, *in.NameEN, pos, *in.Probability, *in.Kind, s.now().Unix())
			if err != nil {
				return fmt.Errorf("store: insert stage: %w", err)
			}
			id, _ = res.LastInsertId()
			return auditCreate(ctx, tx, s.now().Unix(), "stage", id, *in.NameZH+" / "+*in.NameEN)
		}
		cur, err := stageByID(ctx, tx, id)
		if err != nil {
			return ErrNotFound
		}
		if in.Kind != nil && *in.Kind != cur.Kind {
			var used int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM opportunities WHERE stage_id = ? AND deleted_at IS NULL`, id).Scan(&used); err != nil {
				return err
			}
			if used > 0 {
				return &Error{Code: CodeConflict, Msg: M("err.stage_kind_in_use", "Count", used)}
			}
		}
		before, err := snapshot(ctx, tx, "stages", id)
		if err != nil {
			return err
		}
		for col, v := range map[string]any{"name_zh": in.NameZH, "name_en": in.NameEN, "position": in.Position, "probability": in.Probability, "kind": in.Kind} {
			if isNilPtr(v) {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE stages SET `+col+` = ? WHERE id = ?`, v, id); err != nil {
				return fmt.Errorf("store: update stage %d: %w", id, err)
			}
		}
		return auditUpdate(ctx, tx, s.now().Unix(), "stage", "stages", id, before)
	})
	if err != nil {
		return nil, err
	}
	return stageByID(ctx, s.r, id)
}

func isNilPtr(v any) bool {
	switch p := v.(type) {
	case *string:
		return p == nil
	case *int:
		return p == nil
	}
	return v == nil
}

// DeleteStage removes a stage no opportunity uses (or ever used: the
// history must keep pointing at it); admins only.
func (s *Store) DeleteStage(ctx context.Context, actor *User, id int64) error {
	if !actor.IsAdmin() {
		return ErrForbidden
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := stageByID(ctx, tx, id); err != nil {
			return ErrNotFound
		}
		var used, history int
		err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM opportunities WHERE stage_id = ?),
			(SELECT count(*) FROM stage_changes WHERE from_stage_id = ? OR to_stage_id = ?)`, id, id, id).Scan(&used, &history)
		if err != nil {
			return err
		}
		if used > 0 {
			return &Error{Code: CodeConflict, Msg: M("err.stage_in_use", "Count", used)}
		}
		if history > 0 {
			return &Error{Code: CodeConflict, Msg: M("err.stage_in_history")}
		}
		if _, err = tx.ExecContext(ctx, `DELETE FROM stages WHERE id = ?`, id); err != nil {
			return err
		}
		return auditDelete(ctx, tx, s.now().Unix(), "stage", id, "")
	})
}

// LostReasons lists the admin-managed reasons for losing a deal.
func (s *Store) LostReasons(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT name FROM lost_reasons ORDER BY position, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
