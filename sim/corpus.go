package sim

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// The parallel corpus: story templates whose sentences are translations of each other in
// every corpus language, with slots ({city}, {expert}, {n}, …) filled per story so that the
// editions of one story say the same thing in different languages.
//
//go:embed corpus/*.yaml
var corpusFS embed.FS

// corpusLangs are the languages the corpus is written in. Other sites fall back to English.
var corpusLangs = []string{"en", "ru", "fr", "de", "ja"}

func hasCorpus(lang string) bool { return slices.Contains(corpusLangs, lang) }

// storyTemplate is one story skeleton. Body sentence 0 is the lead and always kept.
type storyTemplate struct {
	ID     string              `yaml:"id"`
	Slug   string              `yaml:"slug"`   // words for outlet URLs
	Topics []string            `yaml:"topics"` // category slugs, most specific first
	Title  map[string]string   `yaml:"title"`
	Body   []map[string]string `yaml:"body"`
}

// term is one slot value in every language; "lang.form" keys hold inflected forms
// ("ru.in": "в Токио").
type term map[string]string

func (t term) get(lang, form string) string {
	if form != "" {
		if s, ok := t[lang+"."+form]; ok {
			return s
		}
	}
	return t[lang]
}

type corpus struct {
	templates []*storyTemplate
	slots     map[string][]term // city, expert
}

var loadCorpus = sync.OnceValues(func() (*corpus, error) { return parseCorpus(corpusFS) })

var placeholder = regexp.MustCompile(`\{([a-z0-9]+)(?:\.([a-z]+))?\}`)

// slotKinds maps a placeholder name to its slot table ("" for numbers).
var slotKinds = map[string]string{"city": "city", "city2": "city", "expert": "expert", "n": "", "m": "", "pct": ""}

func parseCorpus(fsys fs.FS) (*corpus, error) {
	c := &corpus{slots: map[string][]term{}}
	files, err := fs.Glob(fsys, "corpus/*.yaml")
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	var errs []error
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		if path.Base(f) == "slots.yaml" {
			if err := yaml.Unmarshal(data, &c.slots); err != nil {
				return nil, fmt.Errorf("corpus %s: %w", f, err)
			}
			continue
		}
		var ts []*storyTemplate
		if err := yaml.Unmarshal(data, &ts); err != nil {
			return nil, fmt.Errorf("corpus %s: %w", f, err)
		}
		c.templates = append(c.templates, ts...)
	}
	for _, k := range []string{"city", "expert"} {
		if len(c.slots[k]) < 2 {
			errs = append(errs, fmt.Errorf("corpus: slot table %s needs at least 2 entries", k))
		}
		for i, t := range c.slots[k] {
			for _, l := range corpusLangs {
				if t[l] == "" {
					errs = append(errs, fmt.Errorf("corpus: slot %s[%d] lacks %s", k, i, l))
				}
			}
		}
	}
	seen := map[string]bool{}
	for _, t := range c.templates {
		if seen[t.ID] {
			errs = append(errs, fmt.Errorf("corpus: template %s twice", t.ID))
		}
		seen[t.ID] = true
		if t.Slug == "" || len(t.Topics) == 0 {
			errs = append(errs, fmt.Errorf("corpus %s: slug and topics are required", t.ID))
		}
		if len(t.Body) < 4 {
			errs = append(errs, fmt.Errorf("corpus %s: %d sentences, want at least 4", t.ID, len(t.Body)))
		}
		units := append([]map[string]string{t.Title}, t.Body...)
		for i, u := range units {
			want := ""
			for _, l := range corpusLangs {
				s := strings.TrimSpace(u[l])
				if s == "" {
					errs = append(errs, fmt.Errorf("corpus %s sentence %d: no %s", t.ID, i, l))
					continue
				}
				got := slotSet(s)
				for _, name := range strings.Split(got, ",") {
					if _, ok := slotKinds[name]; name != "" && !ok {
						errs = append(errs, fmt.Errorf("corpus %s sentence %d (%s): unknown slot {%s}", t.ID, i, l, name))
					}
				}
				if l == corpusLangs[0] {
					want = got
				} else if got != want {
					errs = append(errs, fmt.Errorf("corpus %s sentence %d: %s has slots [%s], en has [%s]", t.ID, i, l, got, want))
				}
			}
		}
	}
	if len(c.templates) == 0 {
		errs = append(errs, errors.New("corpus: no templates"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, nil
}

// slotSet is the sorted, comma-joined set of slot names a sentence uses.
func slotSet(s string) string {
	var names []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		if !slices.Contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}

// fill is one story's slot values.
type fill struct {
	city, city2, expert term
	n, m, pct           int
}

func (c *corpus) newFill(rng *rand.Rand) fill {
	cities := c.slots["city"]
	i := rng.IntN(len(cities))
	j := rng.IntN(len(cities) - 1)
	if j >= i {
		j++
	}
	experts := c.slots["expert"]
	return fill{
		city: cities[i], city2: cities[j], expert: experts[rng.IntN(len(experts))],
		n: 5 + rng.IntN(16), m: 120 + rng.IntN(8800), pct: 2 + rng.IntN(38),
	}
}

// expand replaces the slots of s with f's values in lang.
func (f *fill) expand(s, lang string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		sub := placeholder.FindStringSubmatch(m)
		switch sub[1] {
		case "city":
			return f.city.get(lang, sub[2])
		case "city2":
			return f.city2.get(lang, sub[2])
		case "expert":
			return f.expert.get(lang, sub[2])
		case "n":
			return strconv.Itoa(f.n)
		case "m":
			return strconv.Itoa(f.m)
		case "pct":
			return strconv.Itoa(f.pct)
		}
		return m
	})
}
