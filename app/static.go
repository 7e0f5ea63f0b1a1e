package app

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/tidecrm/tide/static"
)

// assets serves the embedded static files at content-hashed URLs
// (/static/<hash>/css/app.css), so browsers may cache them for a year and
// still pick up a new version the moment the binary is upgraded.
type assets struct {
	hash  map[string]string // file path → short content hash
	files map[string][]byte
}

func loadAssets() *assets {
	a := &assets{hash: map[string]string{}, files: map[string][]byte{}}
	_ = fs.WalkDir(static.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		b, err := fs.ReadFile(static.FS, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.hash[p] = hex.EncodeToString(sum[:])[:12]
		a.files[p] = b
		return nil
	})
	return a
}

// URL returns the hashed URL of a static file, for templates.
func (a *assets) URL(p string) string {
	return "/static/" + a.hash[p] + "/" + p
}

func (a *assets) serve(c *fiber.Ctx) error {
	p := c.Params("*")
	b, ok := a.files[p]
	if !ok {
		return fiber.ErrNotFound
	}
	if c.Params("hash") == a.hash[p] {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "no-cache")
	}
	ct := mime.TypeByExtension(path.Ext(p))
	if ct == "" {
		ct = "application/octet-stream"
	}
	c.Set(fiber.HeaderContentType, ct)
	return c.Send(b)
}
