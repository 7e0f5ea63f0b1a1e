package cli

import (
	"fmt"
	"io"
	"net/http"
	"time"
)

// health asks a running server's /healthz and exits 0 only on 200, so a
// container HEALTHCHECK needs no curl in the image.
func health(args []string, stderr io.Writer) error {
	fs := newFlags("health", stderr)
	url := fs.String("url", "http://127.0.0.1:8080/healthz", "health URL of the running server")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get(*url)
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("health: %s answered %d", *url, resp.StatusCode)
	}
	return nil
}
