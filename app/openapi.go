package app

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"

	"github.com/gofiber/fiber/v2"
)

// The OpenAPI description is split by area: core.json holds the document
// head and the first areas; every other file in openapi/ adds its own
// "paths" and "components" members. Splitting keeps each capability's
// description next to the others of its kind and out of one giant file.
//
//go:embed openapi/*.json
var openapiFS embed.FS

// openapiJSON is the merged description served at /api/v1/openapi.json.
var openapiJSON = mustMergeOpenAPI(openapiFS)

// mustMergeOpenAPI merges core.json with the area fragments. A path or
// schema defined twice is a programming error and stops start-up (the
// tests run this too).
func mustMergeOpenAPI(fsys fs.FS) []byte {
	doc, err := mergeOpenAPI(fsys)
	if err != nil {
		panic(err)
	}
	return doc
}

func mergeOpenAPI(fsys fs.FS) ([]byte, error) {
	names, err := fs.Glob(fsys, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var doc map[string]any
	if err := readJSON(fsys, "openapi/core.json", &doc); err != nil {
		return nil, err
	}
	for _, name := range names {
		if name == "openapi/core.json" {
			continue
		}
		var frag map[string]any
		if err := readJSON(fsys, name, &frag); err != nil {
			return nil, err
		}
		if err := mergeInto(doc, frag, name, 3); err != nil {
			return nil, err
		}
	}
	return json.Marshal(doc)
}

func readJSON(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// mergeInto adds src's members to dst, descending into objects both
// define for depth levels (document → paths → path item, or document →
// components → schemas); an operation or schema defined in both is refused.
func mergeInto(dst, src map[string]any, where string, depth int) error {
	for k, v := range src {
		old, ok := dst[k]
		if !ok {
			dst[k] = v
			continue
		}
		oldMap, ok1 := old.(map[string]any)
		newMap, ok2 := v.(map[string]any)
		if !ok1 || !ok2 || depth <= 1 {
			return fmt.Errorf("openapi: %s redefines %q", where, k)
		}
		if err := mergeInto(oldMap, newMap, where+"/"+k, depth-1); err != nil {
			return err
		}
	}
	return nil
}

// apiOpenAPI serves the OpenAPI 3 description of the API.
func (s *Server) apiOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(openapiJSON)
}
