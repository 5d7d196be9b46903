package extract

import (
	"encoding/json"
	"reflect"
	"sort"
	"testing"
	"time"
)

// The JSON field names are a contract with the CLI and the catalog.
func TestJSONShape(t *testing.T) {
	want := []string{"alternates", "amp", "body_hash", "canonical_url", "category", "category_path", "id",
		"images", "lang", "links", "og_description", "og_title", "published", "site", "source", "template",
		"text", "title", "url", "warnings"}
	var empty Article
	b, err := json.Marshal(empty)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("keys = %q\nwant   %q", keys, want)
	}
	if m["published"] != nil || m["source"] != nil {
		t.Errorf("unknown published/source = %v, %v; want null", m["published"], m["source"])
	}
	for _, k := range []string{"alternates", "images", "links", "warnings"} {
		if l, ok := m[k].([]any); !ok || len(l) != 0 {
			t.Errorf("%s = %#v, want []", k, m[k])
		}
	}

	// A full record survives a round trip, zone included.
	a := mustPage(t, japanPage)
	b, err = json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var back Article
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Source, a.Source) || back.Text != a.Text || back.Images[0] != a.Images[0] ||
		back.Published.Format(time.RFC3339) != "2024-05-01T10:00:00+03:00" {
		t.Errorf("round trip lost data:\n%s", b)
	}
	if err := json.Unmarshal([]byte(`{"published":null}`), &back); err != nil {
		t.Errorf("null published does not decode: %v", err)
	}
}
