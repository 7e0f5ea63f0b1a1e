// Package views embeds Tide's HTML templates: layouts/ holds the page
// frame, partials/ repeated pieces, and one folder per area.
package views

import "embed"

// FS holds every template, embedded so the binary serves them itself.
//
//go:embed *
var FS embed.FS
