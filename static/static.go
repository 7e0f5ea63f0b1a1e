// Package static embeds Tide's CSS, JavaScript and icons. Nothing is fetched
// from a CDN: the app must work on an office LAN with no internet.
package static

import "embed"

// FS holds the static files.
//
//go:embed css js img
var FS embed.FS
