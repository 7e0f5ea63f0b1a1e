package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/spf13/viper"
)

// clearEnv unsets every TIDE_* variable for the test, so the developer's
// shell cannot change what the defaults look like.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "TIDE_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
}

func TestLoad_Defaults(t *testing.T) {
	clearEnv(t)
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"server.addr", c.Server.Addr, ":8080"},
		{"server.base_url", c.Server.BaseURL, "http://localhost:8080"},
		{"server.body_limit", c.Server.BodyLimit, int64(4 << 20)},
		{"server.upload_limit", c.Server.UploadLimit, int64(32 << 20)},
		{"data.dir", c.Data.Dir, "./data"},
		{"app.language", c.App.Language, "zh-CN"},
		{"app.timezone", c.App.TimeZone, "Asia/Shanghai"},
		{"session.lifetime", c.Session.Lifetime, 720 * time.Hour},
		{"session.idle_timeout", c.Session.IdleTimeout, 168 * time.Hour},
		{"log.level", c.Log.Level, "info"},
		{"log.format", c.Log.Format, "text"},
		{"smtp.port", c.SMTP.Port, 587},
		{"smtp.tls", c.SMTP.TLS, "starttls"},
		{"reminders.interval", c.Reminders.Interval, time.Minute},
		{"pools.recycle_interval", c.Pools.RecycleInterval, time.Hour},
		{"location", c.Location.String(), "Asia/Shanghai"},
		{"secure cookies", c.SecureCookies(), false},
	}
	for _, ck := range checks {
		if !reflect.DeepEqual(ck.got, ck.want) {
			t.Errorf("%s = %#v, want %#v", ck.name, ck.got, ck.want)
		}
	}
}

func TestLoad_EnvOverridesDefaults_FlagsOverrideEnv(t *testing.T) {
	clearEnv(t)
	t.Setenv("TIDE_SERVER_ADDR", "127.0.0.1:9999")
	t.Setenv("TIDE_DATA_DIR", "/srv/tide")
	t.Setenv("TIDE_SESSION_IDLE_TIMEOUT", "2h")
	t.Setenv("TIDE_SERVER_BASE_URL", "https://crm.example.com/")
	t.Setenv("TIDE_SMTP_PORT", "2525")
	c, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Addr != "127.0.0.1:9999" || c.Data.Dir != "/srv/tide" || c.Session.IdleTimeout != 2*time.Hour || c.SMTP.Port != 2525 {
		t.Fatalf("env not applied: addr %q dir %q idle %v port %d", c.Server.Addr, c.Data.Dir, c.Session.IdleTimeout, c.SMTP.Port)
	}
	if c.Server.BaseURL != "https://crm.example.com" || !c.SecureCookies() {
		t.Fatalf("base_url %q (trailing slash kept?) secure=%v", c.Server.BaseURL, c.SecureCookies())
	}
	// Flags win over the environment; empty flag values are ignored.
	c, err = Load("", map[string]string{"server.addr": ":7000", "data.dir": ""})
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Addr != ":7000" || c.Data.Dir != "/srv/tide" {
		t.Fatalf("flags: addr %q dir %q", c.Server.Addr, c.Data.Dir)
	}
}

func TestLoad_ConfigFile_BelowEnv(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "tide.yaml")
	if err := os.WriteFile(file, []byte("server:\n  addr: \":6000\"\napp:\n  language: en\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.Addr != ":6000" || c.App.Language != "en" || c.File != file {
		t.Fatalf("file not applied: %+v", c)
	}
	t.Setenv("TIDE_SERVER_ADDR", ":6001")
	if c, err = Load(file, nil); err != nil || c.Server.Addr != ":6001" {
		t.Fatalf("env must override the file: %v %v", c, err)
	}
	_, err = Load(filepath.Join(dir, "missing.yaml"), nil)
	wantKeyError(t, err, "--config")
}

func wantKeyError(t *testing.T, err error, key string) {
	t.Helper()
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v, want a *config.Error for %s", err, key)
	}
	if ce.Key != key || !strings.Contains(err.Error(), key) {
		t.Fatalf("err = %q (key %q), want one naming %q", err, ce.Key, key)
	}
}

func TestLoad_BadValues_ErrorNamesKey(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		overrides map[string]string
		key       string
	}{
		{"bad duration env", map[string]string{"TIDE_SESSION_LIFETIME": "abc"}, nil, "session.lifetime"},
		{"bad idle duration", nil, map[string]string{"session.idle_timeout": "soon"}, "session.idle_timeout"},
		{"negative lifetime", map[string]string{"TIDE_SESSION_LIFETIME": "-1h"}, nil, "session.lifetime"},
		{"bad reminders interval", map[string]string{"TIDE_REMINDERS_INTERVAL": "1"}, nil, "reminders.interval"},
		{"too short reminders interval", map[string]string{"TIDE_REMINDERS_INTERVAL": "10ms"}, nil, "reminders.interval"},
		{"bad recycle interval", nil, map[string]string{"pools.recycle_interval": "hourly"}, "pools.recycle_interval"},
		{"unknown language", nil, map[string]string{"app.language": "fr"}, "app.language"},
		{"unknown language env", map[string]string{"TIDE_APP_LANGUAGE": "zh"}, nil, "app.language"},
		{"unknown time zone", nil, map[string]string{"app.timezone": "Mars/Olympus_Mons"}, "app.timezone"},
		{"unknown time zone env", map[string]string{"TIDE_APP_TIMEZONE": "Asia/Shangai"}, nil, "app.timezone"},
		{"bad log level", nil, map[string]string{"log.level": "verbose"}, "log.level"},
		{"bad log format", nil, map[string]string{"log.format": "xml"}, "log.format"},
		{"bad smtp tls", nil, map[string]string{"smtp.tls": "ssl"}, "smtp.tls"},
		{"zero body limit", nil, map[string]string{"server.body_limit": "0"}, "server.body_limit"},
		{"negative upload limit", nil, map[string]string{"server.upload_limit": "-5"}, "server.upload_limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			c, err := Load("", tt.overrides)
			if err == nil {
				t.Fatalf("Load accepted it: %+v", c)
			}
			wantKeyError(t, err, tt.key)
		})
	}
}

func TestCheckDataDir(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "not-a-dir")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		dir  string
		ok   bool
	}{
		{"existing dir", dir, true},
		{"created when missing", filepath.Join(dir, "a", "b"), true},
		{"under a regular file", filepath.Join(file, "data"), false},
		{"a regular file", file, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load("", map[string]string{"data.dir": tt.dir})
			if err != nil {
				t.Fatal(err)
			}
			err = c.CheckDataDir()
			if tt.ok {
				if err != nil {
					t.Fatal(err)
				}
				if fi, err := os.Stat(tt.dir); err != nil || !fi.IsDir() {
					t.Fatalf("data dir not created: %v", err)
				}
				if _, err := os.Stat(filepath.Join(tt.dir, ".write-test")); !os.IsNotExist(err) {
					t.Fatal("write probe left behind")
				}
				return
			}
			wantKeyError(t, err, "data.dir")
			if !strings.Contains(err.Error(), tt.dir) {
				t.Fatalf("error %q does not name the path", err)
			}
		})
	}
}

func TestKeys_CoverEverySetting(t *testing.T) {
	keys := Keys()
	if len(keys) != len(defaults) {
		t.Fatalf("Keys() has %d entries, defaults %d", len(keys), len(defaults))
	}
	// Every key must be settable from the environment: TIDE_<SECTION>_<KEY>.
	for _, k := range keys {
		if strings.Count(k, ".") != 1 {
			t.Errorf("key %q is not section.key", k)
		}
	}
}

// examplePath is the documented sample configuration at the repo root.
const examplePath = "../config.example.yaml"

func TestExampleConfig_HasEveryKey(t *testing.T) {
	if _, err := os.Stat(examplePath); err != nil {
		t.Fatalf("config.example.yaml must exist at the repository root and document every key: %v", err)
	}
	v := viper.New()
	v.SetConfigFile(examplePath)
	if err := v.ReadInConfig(); err != nil {
		t.Fatalf("config.example.yaml does not parse: %v", err)
	}
	var missing []string
	for _, k := range Keys() {
		if !v.InConfig(k) {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("config.example.yaml lacks these keys: %s", strings.Join(missing, ", "))
	}
	known := map[string]bool{}
	for _, k := range Keys() {
		known[k] = true
	}
	for _, k := range v.AllKeys() {
		if !known[k] {
			t.Errorf("config.example.yaml has key %q that Tide does not read", k)
		}
	}
}

// The example documents the defaults: loading it gives the same settings
// as loading nothing.
func TestExampleConfig_ValuesMatchDefaults(t *testing.T) {
	if _, err := os.Stat(examplePath); err != nil {
		t.Fatalf("config.example.yaml missing: %v", err)
	}
	clearEnv(t)
	fromExample, err := Load(examplePath, nil)
	if err != nil {
		t.Fatalf("config.example.yaml does not load: %v", err)
	}
	fromDefaults, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if fromExample.Location.String() != fromDefaults.Location.String() {
		t.Fatalf("time zone: example %s, default %s", fromExample.Location, fromDefaults.Location)
	}
	fromExample.File, fromDefaults.File = "", ""
	fromExample.Location, fromDefaults.Location = nil, nil
	if !reflect.DeepEqual(fromExample, fromDefaults) {
		t.Fatalf("config.example.yaml and the defaults disagree:\nexample:  %+v\ndefaults: %+v", fromExample, fromDefaults)
	}
}
