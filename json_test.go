package secrets

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// jsonCases are inputs on which parseJSONObject must agree with
// encoding/json; they also seed FuzzParseJSONObject.
var jsonCases = []string{
	``, ` `, `null`, `[1]`, `"s"`, `1`, `true`, `{}`, ` {"a":1} `, "\t{\r\n}\n", "\ufeff{}",
	`{"a":"x"}`, `{"a":1,"a":2}`, `{"a":null}`, `{"a":[1,{"b":[]}],"c":{"d":"e"}}`,
	`{"a":"x\u00e9\ud83d\ude00"}`, `{"a":"\ud800"}`, `{"a":"\ud800\u0041"}`, `{"a":"\udc00\ud800"}`,
	`{"a":"\ud800\\u0041"}`, `{"a":"\ud800\u"}`, `{"a":"\u00"}`, `{"a":"\u00G0"}`,
	"{\"a\":\"\xff\"}", "{\"\xff\":1}", "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\x01\"}", "{\"a\":\"\x7f\"}",
	`{"a":"\'"}`, `{"a":"\/\b\f\n\r\t\"\\"}`, `{"a":"x\"}`, `{"a\"b":1}`, `{"a\u0062":1,"ab":2}`,
	`{"a":01}`, `{"a":-0}`, `{"a":-0.5e+10}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":1E-2}`, `{"a":-}`, `{"a":+1}`,
	`{"a":tru}`, `{"a":truex}`, `{"a":nul}`, `{"a":false}`, `{"a":1,}`, `{,}`, `{"a" 1}`, `{"a":1 "b":2}`, `{a:1}`,
	`{} x`, `{}{}`, `{"a":[1,]}`, `{"a":[,1]}`, `{"a":[1 2]}`, `{"a":{"b"}}`, `{"a":"b"`, `{"a":`, `{`, `{"`,
	`{"a":"` + strings.Repeat("\\u00e9", 40) + `"}`,
	`{"a":` + strings.Repeat("[", maxJSONDepth-1) + strings.Repeat("]", maxJSONDepth-1) + `}`,
	`{"a":` + strings.Repeat("[", maxJSONDepth) + strings.Repeat("]", maxJSONDepth) + `}`,
	`{"a":` + strings.Repeat(`{"b":`, maxJSONDepth-1) + "1" + strings.Repeat("}", maxJSONDepth-1) + `}`,
	`{"a":` + strings.Repeat(`{"b":`, maxJSONDepth) + "1" + strings.Repeat("}", maxJSONDepth) + `}`,
}

// checkJSONAgainstStd fails unless parseJSONObject and unquoteJSON agree
// with json.Unmarshal into a map[string]json.RawMessage and into a string.
func checkJSONAgainstStd(t *testing.T, data []byte) {
	var want map[string]json.RawMessage
	wantOK := json.Unmarshal(data, &want) == nil && want != nil
	got, gotOK := parseJSONObject(data)
	require.Equal(t, wantOK, gotOK, "accepts %q", data)
	if !gotOK {
		return
	}
	require.Len(t, got, len(want), "members of %q", data)
	for k, w := range want {
		g, ok := got[k]
		require.True(t, ok, "member %q of %q", k, data)
		require.Equal(t, string(w), string(g), "member %q of %q", k, data)
		if g[0] == '"' {
			var s string
			require.NoError(t, json.Unmarshal(g, &s))
			require.Equal(t, s, unquoteJSON(g), "string %q", g)
		}
	}
}

func TestParseJSONObjectMatchesEncodingJSON(t *testing.T) {
	for _, c := range jsonCases {
		checkJSONAgainstStd(t, []byte(c))
	}
}

func FuzzParseJSONObject(f *testing.F) {
	for _, c := range jsonCases {
		if len(c) < 1000 {
			f.Add([]byte(c))
		}
	}
	f.Fuzz(checkJSONAgainstStd)
}
