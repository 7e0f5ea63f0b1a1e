package app

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/i18n"
	"github.com/tidecrm/tide/store"
)

// campaignList is the campaigns page (按标签推送): the campaigns the user
// may see with their send counts.
func (s *Server) campaignList(c *fiber.Ctx) error {
	list, err := s.store.Campaigns(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	data := s.page(c, "mailui.campaigns")
	data["Campaigns"] = list
	return c.Render("mail/campaigns", data)
}

// campaignForm reads the campaign form.
func campaignForm(c *fiber.Ctx) store.CampaignInput {
	in := store.CampaignInput{Name: c.FormValue("name"), Language: c.FormValue("language"), Subject: c.FormValue("subject"),
		Body: strings.ReplaceAll(c.FormValue("body"), "\r\n", "\n")}
	for _, t := range c.Request().PostArgs().PeekMulti("tags") {
		in.Tags = append(in.Tags, string(t))
	}
	in.Filters = store.CampaignFilters{Status: c.FormValue("status"), Level: c.FormValue("level"), Source: c.FormValue("source"),
		Region: strings.TrimSpace(c.FormValue("region")), Owner: c.FormValue("owner")}
	return in
}

// campaignNew shows an empty form, or one copied from an earlier campaign
// (?from=id) — the "pick a template" path.
func (s *Server) campaignNew(c *fiber.Ctx) error {
	l := loc(c)
	in := store.CampaignInput{Language: l.Lang}
	if from := c.QueryInt("from"); from > 0 {
		prev, err := s.store.Campaign(c.UserContext(), currentUser(c), int64(from))
		if err != nil {
			return err
		}
		in = prev.Filters
		in.Name = prev.Name
	}
	return s.renderCampaignForm(c, fiber.StatusOK, in, nil, nil)
}

// campaignSubmit previews (action=preview) or sends the campaign.
func (s *Server) campaignSubmit(c *fiber.Ctx) error {
	in := campaignForm(c)
	u := currentUser(c)
	if c.FormValue("action") == "preview" {
		p, err := s.store.PreviewCampaign(c.UserContext(), u, in)
		if err != nil {
			if !userFacing(err) {
				return err
			}
			return s.renderCampaignForm(c, fiber.StatusBadRequest, in, fieldMessages(c, err), nil)
		}
		return s.renderCampaignForm(c, fiber.StatusOK, in, nil, p)
	}
	cp, err := s.store.SendCampaign(c.UserContext(), u, in)
	if err != nil {
		if !userFacing(err) {
			return err
		}
		return s.renderCampaignForm(c, fiber.StatusBadRequest, in, fieldMessages(c, err), nil)
	}
	s.setFlash(c, "mailui.flash.campaign_queued")
	return c.Redirect("/campaigns/"+strconv.FormatInt(cp.ID, 10), fiber.StatusSeeOther)
}

func (s *Server) renderCampaignForm(c *fiber.Ctx, status int, in store.CampaignInput, errs map[string]string, p *store.CampaignPreview) error {
	tags, err := s.store.Tags(c.UserContext())
	if err != nil {
		return err
	}
	sources, err := s.store.Sources(c.UserContext())
	if err != nil {
		return err
	}
	picked := map[string]bool{}
	for _, t := range in.Tags {
		picked[t] = true
	}
	data := s.page(c, "mailui.campaign_new")
	data["Form"], data["Errors"], data["Preview"] = in, errs, p
	data["Tags"], data["Picked"], data["Sources"] = tags, picked, sources
	data["Levels"], data["Statuses"], data["Langs"] = store.Levels, store.Statuses, i18n.Languages
	data["Placeholders"] = placeholderHint()
	data["H"] = s.helpers(c)
	if errs == nil {
		data["Errors"] = map[string]string{}
	}
	return c.Status(status).Render("mail/campaign_new", data)
}

// campaignWithLog loads the :id campaign the user may see and its send log.
func (s *Server) campaignWithLog(c *fiber.Ctx) (*store.Campaign, []store.CampaignRecipient, error) {
	id, err := paramID(c)
	if err != nil {
		return nil, nil, err
	}
	cp, err := s.store.Campaign(c.UserContext(), currentUser(c), id)
	if err != nil {
		return nil, nil, err
	}
	log, err := s.store.CampaignLog(c.UserContext(), currentUser(c), id)
	return cp, log, err
}

// campaignShow is a campaign's send log: counts and one line per recipient.
func (s *Server) campaignShow(c *fiber.Ctx) error {
	cp, log, err := s.campaignWithLog(c)
	if err != nil {
		return err
	}
	data := s.page(c, "mailui.campaigns")
	data["Title"] = cp.Name
	data["Campaign"], data["Log"] = cp, log
	return c.Render("mail/campaign_show", data)
}

// apiCampaigns lists the campaigns the caller may see.
func (s *Server) apiCampaigns(c *fiber.Ctx) error {
	list, err := s.store.Campaigns(c.UserContext(), currentUser(c))
	if err != nil {
		return err
	}
	return c.JSON(listEnvelope(list, len(list)))
}

// apiCampaign answers a campaign with its send log.
func (s *Server) apiCampaign(c *fiber.Ctx) error {
	cp, log, err := s.campaignWithLog(c)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"campaign": cp, "recipients": log})
}

// apiPreviewCampaign renders a campaign for its first recipient.
func (s *Server) apiPreviewCampaign(c *fiber.Ctx) error {
	var in store.CampaignInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	p, err := s.store.PreviewCampaign(c.UserContext(), currentUser(c), in)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

// apiSendCampaign queues a campaign → 201 with the campaign.
func (s *Server) apiSendCampaign(c *fiber.Ctx) error {
	var in store.CampaignInput
	if err := parseJSON(c, &in); err != nil {
		return err
	}
	cp, err := s.store.SendCampaign(c.UserContext(), currentUser(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(cp)
}
