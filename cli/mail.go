package cli

import (
	"github.com/tidecrm/tide/config"
	"github.com/tidecrm/tide/mail"
	"github.com/tidecrm/tide/scheduler"
	"github.com/tidecrm/tide/store"
)

// setUpMail hands the store its email configuration and registers the
// email jobs (outbox sender, birthdays and digests).
func setUpMail(cfg *config.Config, st *store.Store, sched *scheduler.Scheduler) error {
	st.Mail = MailConfig(cfg)
	return sched.AddMail(cfg.Reminders.Interval)
}

// MailConfig is the store's email configuration taken from cfg.
func MailConfig(cfg *config.Config) store.MailConfig {
	return store.MailConfig{
		BaseURL: cfg.Server.BaseURL,
		SMTP: mail.Settings{Host: cfg.SMTP.Host, Port: cfg.SMTP.Port, TLS: cfg.SMTP.TLS, Username: cfg.SMTP.Username,
			Password: cfg.SMTP.Password, From: cfg.SMTP.From},
		Interval: cfg.Reminders.Interval, RatePerMinute: cfg.SMTP.RatePerMinute,
		BirthdayHour: cfg.Reminders.BirthdayHour, DigestHour: cfg.Reminders.DigestHour,
	}
}
