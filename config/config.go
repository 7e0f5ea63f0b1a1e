// Package config loads Tide's settings from config.yaml, TIDE_* environment
// variables and command-line flags (in rising order of precedence) and
// validates them, so that a bad value stops start-up with one clear line
// naming the key instead of surfacing later as a puzzling failure.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/viper"
)

// Config is every setting Tide reads. config.example.yaml documents each key.
type Config struct {
	Server    Server
	Data      Data
	App       App
	Session   Session
	Log       Log
	SMTP      SMTP
	Admin     Admin
	Reminders Reminders
	Pools     Pools
	Backup    Backup
	Webhooks  Webhooks

	// Location is App.TimeZone loaded; every calendar-day rule uses it.
	Location *time.Location
	// File is the config file that was read, or "" when none was found.
	File string
}

// Server holds the HTTP listener settings.
type Server struct {
	Addr        string
	BaseURL     string `mapstructure:"base_url"`
	BodyLimit   int64  `mapstructure:"body_limit"`
	UploadLimit int64  `mapstructure:"upload_limit"`
}

// Data names the directory holding tide.db and backups.
type Data struct {
	Dir string
}

// App holds company-wide defaults.
type App struct {
	Language string
	TimeZone string `mapstructure:"timezone"`
}

// Session bounds how long a browser sign-in lasts.
type Session struct {
	Lifetime    time.Duration
	IdleTimeout time.Duration `mapstructure:"idle_timeout"`
}

// Log selects the slog level and output format.
type Log struct {
	Level  string
	Format string
}

// SMTP is the outgoing mail server used for reminders.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	TLS      string
	// RatePerMinute bounds how many emails leave per minute (0: no limit).
	RatePerMinute int `mapstructure:"rate_per_minute"`
}

// Admin is the first administrator created at start when no user exists.
type Admin struct {
	Username string
	Password string
}

// Reminders sets how often the reminder job looks for due reminders.
type Reminders struct {
	Interval time.Duration
	// BirthdayHour and DigestHour are the local hours (each user's time
	// zone) from which birthday reminders and the daily digest go out.
	BirthdayHour int `mapstructure:"birthday_hour"`
	DigestHour   int `mapstructure:"digest_hour"`
}

// Pools sets how often the recycle job runs.
type Pools struct {
	RecycleInterval time.Duration `mapstructure:"recycle_interval"`
}

// Languages lists the UI languages Tide ships catalogues for.
var Languages = []string{"zh-CN", "en"}

// Error is a configuration problem tied to one key.
type Error struct {
	Key string
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("config: %s: %s", e.Key, e.Msg) }

// defaults mirrors config.example.yaml; a test keeps the two in step.
var defaults = map[string]any{
	"server.addr":            ":8080",
	"server.base_url":        "http://localhost:8080",
	"server.body_limit":      4 << 20,
	"server.upload_limit":    32 << 20,
	"data.dir":               "./data",
	"app.language":           "zh-CN",
	"app.timezone":           "Asia/Shanghai",
	"session.lifetime":       "720h",
	"session.idle_timeout":   "168h",
	"log.level":              "info",
	"log.format":             "text",
	"smtp.host":              "",
	"smtp.port":              587,
	"smtp.username":          "",
	"smtp.password":          "",
	"smtp.from":              "",
	"smtp.tls":               "starttls",
	"admin.username":         "",
	"admin.password":         "",
	"reminders.interval":     "1m",
	"pools.recycle_interval": "1h",
	"backup.time":            "02:00",
	"backup.keep":            14,
	"backup.compress":        false,
	"backup.dir":             "",
	"webhooks.interval":      "15s",

	// Email pacing and morning hours.
	"smtp.rate_per_minute":    60,
	"reminders.birthday_hour": 8,
	"reminders.digest_hour":   8,
}

// Keys returns every known key, sorted.
func Keys() []string {
	keys := make([]string, 0, len(defaults))
	for k := range defaults {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Load reads the config file (explicit path, or ./config.yaml when present),
// applies TIDE_SECTION_KEY environment overrides and then the given flag
// overrides (key → value, empty values ignored), and validates the result.
func Load(file string, overrides map[string]string) (*Config, error) {
	v := viper.New()
	for k, val := range defaults {
		v.SetDefault(k, val)
	}
	v.SetEnvPrefix("TIDE")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()

	if file != "" {
		v.SetConfigFile(file)
		if err := v.ReadInConfig(); err != nil {
			return nil, &Error{Key: "--config", Msg: err.Error()}
		}
	} else if _, err := os.Stat("config.yaml"); err == nil {
		v.SetConfigFile("config.yaml")
		if err := v.ReadInConfig(); err != nil {
			return nil, &Error{Key: "config.yaml", Msg: err.Error()}
		}
	}
	for k, val := range overrides {
		if val != "" {
			v.Set(k, val)
		}
	}

	var c Config
	for _, key := range []string{"session.lifetime", "session.idle_timeout", "reminders.interval", "pools.recycle_interval"} {
		if _, err := time.ParseDuration(v.GetString(key)); err != nil {
			return nil, &Error{Key: key, Msg: fmt.Sprintf("%q is not a duration (examples: 30m, 12h)", v.GetString(key))}
		}
	}
	if err := v.Unmarshal(&c); err != nil {
		return nil, &Error{Key: "config", Msg: err.Error()}
	}
	c.File = v.ConfigFileUsed()
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

func (c *Config) validate() error {
	if !validLanguage(c.App.Language) {
		return &Error{Key: "app.language", Msg: fmt.Sprintf("%q is not one of %s", c.App.Language, strings.Join(Languages, ", "))}
	}
	loc, err := time.LoadLocation(c.App.TimeZone)
	if err != nil || c.App.TimeZone == "" {
		return &Error{Key: "app.timezone", Msg: fmt.Sprintf("%q is not a known time zone (example: Asia/Shanghai)", c.App.TimeZone)}
	}
	c.Location = loc
	if c.Session.Lifetime <= 0 {
		return &Error{Key: "session.lifetime", Msg: "must be positive"}
	}
	if c.Session.IdleTimeout <= 0 {
		return &Error{Key: "session.idle_timeout", Msg: "must be positive"}
	}
	if c.Reminders.Interval < time.Second {
		return &Error{Key: "reminders.interval", Msg: "must be at least 1s"}
	}
	if err := c.validateMail(); err != nil {
		return err
	}
	if c.Pools.RecycleInterval < time.Second {
		return &Error{Key: "pools.recycle_interval", Msg: "must be at least 1s"}
	}
	if c.Server.BodyLimit <= 0 {
		return &Error{Key: "server.body_limit", Msg: "must be a positive number of bytes"}
	}
	if c.Server.UploadLimit <= 0 {
		return &Error{Key: "server.upload_limit", Msg: "must be a positive number of bytes"}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return &Error{Key: "log.level", Msg: fmt.Sprintf("%q is not one of debug, info, warn, error", c.Log.Level)}
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		return &Error{Key: "log.format", Msg: fmt.Sprintf("%q is not one of text, json", c.Log.Format)}
	}
	switch c.SMTP.TLS {
	case "none", "starttls", "tls":
	default:
		return &Error{Key: "smtp.tls", Msg: fmt.Sprintf("%q is not one of none, starttls, tls", c.SMTP.TLS)}
	}
	c.Server.BaseURL = strings.TrimRight(c.Server.BaseURL, "/")
	return c.validateBackup()
}

// CheckDataDir creates the data directory when missing and proves it is
// writable, so a read-only mount fails at start-up rather than at first save.
func (c *Config) CheckDataDir() error {
	if c.Data.Dir == "" {
		return &Error{Key: "data.dir", Msg: "must not be empty"}
	}
	if err := os.MkdirAll(c.Data.Dir, 0o750); err != nil {
		return &Error{Key: "data.dir", Msg: fmt.Sprintf("cannot create %s: %v", c.Data.Dir, errors.Unwrap(err))}
	}
	probe := filepath.Join(c.Data.Dir, ".write-test")
	if err := os.WriteFile(probe, nil, 0o600); err != nil {
		return &Error{Key: "data.dir", Msg: fmt.Sprintf("%s is not writable", c.Data.Dir)}
	}
	_ = os.Remove(probe)
	return nil
}

// SecureCookies reports whether cookies must carry the Secure flag.
func (c *Config) SecureCookies() bool { return strings.HasPrefix(c.Server.BaseURL, "https://") }

func validLanguage(l string) bool {
	for _, x := range Languages {
		if x == l {
			return true
		}
	}
	return false
}

// validateMail checks the email pacing and morning hours.
func (c *Config) validateMail() error {
	if c.SMTP.RatePerMinute < 0 {
		return &Error{Key: "smtp.rate_per_minute", Msg: "must be 0 (no limit) or more"}
	}
	for key, h := range map[string]int{"reminders.birthday_hour": c.Reminders.BirthdayHour, "reminders.digest_hour": c.Reminders.DigestHour} {
		if h < 0 || h > 23 {
			return &Error{Key: key, Msg: fmt.Sprintf("%d is not an hour (0-23)", h)}
		}
	}
	return nil
}
