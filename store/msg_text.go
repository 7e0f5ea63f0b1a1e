package store

import (
	"encoding/json"
	"math"
	"strings"
)

// Job run results and audit details are stored as text columns but must be
// shown in the reader's language, so code that writes them stores a Msg as
// JSON ({"key":…,"args":{…}}) and the page translates it when shown. Rows
// written before (plain text) and text users typed stay plain and are shown
// as they are. An argument may itself be a Msg (a role, a follow-up kind),
// translated in the same language.

// Encode returns m as the JSON text stored in a detail column.
func (m Msg) Encode() string {
	b, err := json.Marshal(m)
	if err != nil { // an argument JSON cannot hold; keep the key at least
		b, _ = json.Marshal(Msg{Key: m.Key})
	}
	return string(b)
}

// DecodeMsg reads text written by Encode; ok is false for anything else
// (plain text of older rows, values users typed).
func DecodeMsg(text string) (Msg, bool) {
	if !strings.HasPrefix(text, `{"key":`) {
		return Msg{}, false
	}
	var raw map[string]any
	if json.Unmarshal([]byte(text), &raw) != nil {
		return Msg{}, false
	}
	return msgFromJSON(raw)
}

// msgFromJSON turns a decoded {"key","args"} object back into a Msg,
// nested Msgs in its arguments included.
func msgFromJSON(raw map[string]any) (Msg, bool) {
	key, ok := raw["key"].(string)
	if !ok || key == "" {
		return Msg{}, false
	}
	for k := range raw {
		if k != "key" && k != "args" {
			return Msg{}, false
		}
	}
	m := Msg{Key: key}
	args, hasArgs := raw["args"].(map[string]any)
	if _, present := raw["args"]; present && !hasArgs {
		return Msg{}, false
	}
	if hasArgs {
		m.Args = make(map[string]any, len(args))
		for k, v := range args {
			m.Args[k] = argFromJSON(v)
		}
	}
	return m, true
}

// argFromJSON restores an argument: a nested Msg, or a whole number as an
// integer (counts print as 1000000, not 1e+06).
func argFromJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if inner, isMsg := msgFromJSON(x); isMsg {
			return inner
		}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
	}
	return v
}

// Catalogue keys of codes that audit details name (shown translated).
func followupKindKey(kind string) string   { return "fu.kind." + kind }
func importStatusKey(status string) string { return "import.status_" + status }
func recycleRuleKey(rule string) string    { return "pools.recycle_rule." + rule }
