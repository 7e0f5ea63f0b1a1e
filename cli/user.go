package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/tidecrm/tide/config"
	"github.com/tidecrm/tide/store"
)

// userCmd manages users from the server's shell: the owner's way back in
// when every admin password is lost. It works while the server runs.
func userCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "passwd") {
		fmt.Fprintf(stderr, "tide user: want add or passwd\n\n%s", usage)
		return errUsage
	}
	fs := newFlags("user "+args[0], stderr)
	data := fs.String("data", "", "data directory (default from config, ./data)")
	cfgFile := fs.String("config", "", "config file")
	username := fs.String("username", "", "username")
	password := fs.String("password", "", "password (at least 8 characters)")
	role := fs.String("role", "", "admin, manager or sales (add only)")
	name := fs.String("name", "", "display name (add only)")
	if err := parse(fs, args[1:], stderr); err != nil {
		return err
	}
	if *username == "" || *password == "" || (args[0] == "add" && *role == "") {
		fmt.Fprintln(stderr, "tide user: --username and --password are required (and --role for add)")
		fs.Usage()
		return errUsage
	}
	cfg, err := config.Load(*cfgFile, map[string]string{"data.dir": *data})
	if err != nil {
		return err
	}
	if err := cfg.CheckDataDir(); err != nil {
		return err
	}
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.Data.Dir)
	if err != nil {
		return err
	}
	defer st.Close()
	if args[0] == "passwd" {
		if err := st.SetPassword(ctx, *username, *password); err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "password of %s changed; their sessions and tokens were revoked\n", *username)
		return nil
	}
	u, err := st.CreateUser(ctx, store.UserInput{Username: username, Password: password, Role: role, Name: name})
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "user %s (id %d, %s) created\n", u.Username, u.ID, u.Role)
	return nil
}

// describe turns a store refusal into a plain English line for the shell.
func describe(err error) error {
	e, ok := store.AsError(err)
	if !ok {
		return err
	}
	if e.Code == store.CodeNotFound {
		return fmt.Errorf("no such user")
	}
	for field, m := range e.Fields {
		return fmt.Errorf("%s: %s", field, plainMessages[m.Key])
	}
	return err
}

var plainMessages = map[string]string{
	"err.required":           "is required",
	"err.length":             "has the wrong length",
	"err.username_spaces":    "must not contain spaces",
	"err.username_taken":     "is already taken",
	"err.role":               "must be admin, manager or sales",
	"err.password_short":     fmt.Sprintf("must be at least %d characters", store.MinPasswordLen),
	"err.email":              "is not a valid email address",
	"err.department_unknown": "no such department",
}
