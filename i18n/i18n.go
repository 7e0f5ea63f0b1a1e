// Package i18n holds Tide's translation catalogues (zh-CN and en) and the
// Localizer that templates and handlers use to speak the user's language.
// Messages are go-i18n messages, so they can carry {{.Name}} placeholders.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed locales/*.json
var locales embed.FS

// Languages Tide speaks, default first.
var Languages = []string{"zh-CN", "en"}

var (
	bundle   *goi18n.Bundle
	locByTag = map[string]*goi18n.Localizer{}
	keys     = map[string]map[string]string{}
	matcher  = language.NewMatcher([]language.Tag{language.SimplifiedChinese, language.English})
)

// init loads every catalogue file. Files are named <area>.<lang>.json
// (core.zh-CN.json, customers.en.json …) so each area of the app keeps its
// own strings; a key may appear in only one file per language.
func init() {
	bundle = goi18n.NewBundle(language.SimplifiedChinese)
	entries, err := fs.ReadDir(locales, "locales")
	if err != nil {
		panic(err)
	}
	for _, lang := range Languages {
		keys[lang] = map[string]string{}
	}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".json")
		dot := strings.Index(name, ".")
		if dot < 0 {
			panic("i18n: catalogue file must be named <area>.<lang>.json: " + e.Name())
		}
		lang := name[dot+1:]
		if _, ok := keys[lang]; !ok {
			panic("i18n: unknown language in " + e.Name())
		}
		raw, _ := fs.ReadFile(locales, "locales/"+e.Name())
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			panic(fmt.Sprintf("i18n: %s must be a flat object of strings: %v", e.Name(), err))
		}
		tag := language.MustParse(lang)
		for k, v := range m {
			if _, dup := keys[lang][k]; dup {
				panic(fmt.Sprintf("i18n: key %s defined twice for %s", k, lang))
			}
			keys[lang][k] = v
			if err := bundle.AddMessages(tag, &goi18n.Message{ID: k, Other: v}); err != nil {
				panic(err)
			}
		}
	}
	for _, lang := range Languages {
		locByTag[lang] = goi18n.NewLocalizer(bundle, lang)
	}
}

// Keys returns the sorted message keys of one catalogue; tests compare them.
func Keys(lang string) []string {
	out := make([]string, 0, len(keys[lang]))
	for k := range keys[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Has reports whether key exists in the catalogue of lang.
func Has(lang, key string) bool {
	_, ok := keys[lang][key]
	return ok
}

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool {
	_, ok := keys[lang]
	return ok
}

// Match picks the best supported language for an Accept-Language header,
// or "" when the header names none Tide speaks.
func Match(acceptLanguage string) string {
	if strings.TrimSpace(acceptLanguage) == "" {
		return ""
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return ""
	}
	_, idx, conf := matcher.Match(tags...)
	if conf == language.No {
		return ""
	}
	return Languages[idx]
}

// Localizer translates into one language.
type Localizer struct {
	Lang string
	loc  *goi18n.Localizer
}

// For returns the Localizer of lang (falling back to the default language).
func For(lang string) *Localizer {
	l, ok := locByTag[lang]
	if !ok {
		lang = Languages[0]
		l = locByTag[lang]
	}
	return &Localizer{Lang: lang, loc: l}
}

// T translates key, filling placeholders from alternating name/value args
// (T("err.length", "Min", 1, "Max", 100)). A missing key shows as itself, so
// a gap is visible rather than blank; a test keeps that from shipping.
func (l *Localizer) T(key string, args ...any) string {
	var data map[string]any
	if len(args) == 1 {
		if m, ok := args[0].(map[string]any); ok {
			data = m
		}
	}
	if data == nil && len(args) > 1 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	s, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: key, TemplateData: data})
	if err != nil {
		return key
	}
	return s
}

// IsZH reports whether the language is Chinese; views use it for small
// typographic choices.
func (l *Localizer) IsZH() bool { return l.Lang == "zh-CN" }
