package eval

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/pravda-archive/pravda/catalog"
)

// Score counts one measurement: Truth items the truth has (that a claim should be made
// about), Claimed items the catalog made a claim about, Correct claims that match the
// truth, Found correct claims about Truth items.
type Score struct {
	Truth     int     `json:"truth"`
	Claimed   int     `json:"claimed"`
	Correct   int     `json:"correct"`
	Found     int     `json:"found"`
	Precision float64 `json:"precision"` // Correct / Claimed; 1 when nothing was claimed
	Recall    float64 `json:"recall"`    // Found / Truth; 1 when the truth has none
	F1        float64 `json:"f1"`
}

func (s *Score) finish() {
	s.Precision, s.Recall = ratio(s.Correct, s.Claimed), ratio(s.Found, s.Truth)
	s.F1 = f1(s.Precision, s.Recall)
}

// PairScore is the pairwise score of a grouping: pairs of articles in one story.
type PairScore struct {
	TruthPairs   int64   `json:"truth_pairs"`
	GroupedPairs int64   `json:"grouped_pairs"`
	CommonPairs  int64   `json:"common_pairs"`
	Precision    float64 `json:"precision"`
	Recall       float64 `json:"recall"`
	F1           float64 `json:"f1"`
}

// Report is the outcome of one evaluation.
type Report struct {
	Truth     int `json:"truth"`     // articles in the truth
	Evaluated int `json:"evaluated"` // in both the truth and the catalog
	// Missing are truth articles the catalog does not hold (robots-disallowed ones
	// included); they are left out of every score.
	Missing int `json:"missing"`

	Credited   int `json:"credited"`
	Uncredited int `json:"uncredited"`

	// Credited articles: was the root's kind right, and the root itself (URL, channel and
	// post, outlet)? Claimed = the catalog names any origin.
	CreditedKind     Score `json:"credited_kind"`
	CreditedIdentity Score `json:"credited_identity"`
	// RootTime: credited articles whose chain's last hop carries the root's true time
	// (so that the lag is right), among those whose root is right.
	RootTime Score `json:"root_time"`

	// Uncredited articles. Claimed = the catalog inferred an origin. Identity's truth is
	// the uncredited articles with evidence to attribute them by; IdentityAll's is all
	// uncredited articles.
	UncreditedKind        Score `json:"uncredited_kind"`
	UncreditedIdentity    Score `json:"uncredited_identity"`
	UncreditedIdentityAll Score `json:"uncredited_identity_all"`
	// Unsupported: origins inferred for articles the truth says nothing links to a
	// credited edition.
	Unsupported int `json:"unsupported"`

	Stories PairScore `json:"stories"`
}

// Evaluate compares the catalog with the truth.
func Evaluate(ctx context.Context, cat *catalog.Catalog, truth []Truth) (*Report, error) {
	rows, err := cat.LinkedArticles(ctx, "", "")
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	byKey := make(map[string]*catalog.Linked, len(rows))
	for i := range rows {
		byKey[rows[i].Site+":"+strconv.FormatInt(rows[i].ID, 10)] = &rows[i]
	}
	r := &Report{Truth: len(truth)}
	seen := map[string]bool{}
	type cell struct {
		truth string
		story int64
	}
	truthSize, groupSize, cells := map[string]int64{}, map[int64]int64{}, map[cell]int64{}
	for _, t := range truth {
		if seen[t.Key] {
			continue // a duplicated line counts once
		}
		seen[t.Key] = true
		a, ok := byKey[t.Key]
		if !ok {
			r.Missing++
			continue
		}
		r.Evaluated++
		truthSize[t.Story]++
		if a.StoryID != 0 {
			groupSize[a.StoryID]++
			cells[cell{t.Story, a.StoryID}]++
		}
		claimed := a.Origin.Kind != "" && a.Origin.Kind != "none"
		kindOK := claimed && a.Origin.Kind == t.Origin.Kind
		idOK := claimed && SameRoot(t.Origin, a.Origin)
		if t.Credited {
			r.Credited++
			count(&r.CreditedKind, true, claimed, kindOK)
			count(&r.CreditedIdentity, true, claimed, idOK)
			if idOK {
				count(&r.RootTime, true, !a.RootTime.IsZero(), a.RootTime.Equal(t.Origin.Time))
			}
			continue
		}
		r.Uncredited++
		count(&r.UncreditedKind, t.Evidence, claimed, kindOK)
		count(&r.UncreditedIdentity, t.Evidence, claimed, idOK)
		count(&r.UncreditedIdentityAll, true, claimed, idOK)
		if claimed && !t.Evidence {
			r.Unsupported++
		}
	}
	for _, s := range []*Score{&r.CreditedKind, &r.CreditedIdentity, &r.RootTime,
		&r.UncreditedKind, &r.UncreditedIdentity, &r.UncreditedIdentityAll} {
		s.finish()
	}
	p := &r.Stories
	for _, n := range truthSize {
		p.TruthPairs += pairs(n)
	}
	for _, n := range groupSize {
		p.GroupedPairs += pairs(n)
	}
	for _, n := range cells {
		p.CommonPairs += pairs(n)
	}
	p.Precision, p.Recall = ratio64(p.CommonPairs, p.GroupedPairs), ratio64(p.CommonPairs, p.TruthPairs)
	p.F1 = f1(p.Precision, p.Recall)
	return r, nil
}

func count(s *Score, inTruth, claimed, correct bool) {
	if inTruth {
		s.Truth++
	}
	if claimed {
		s.Claimed++
	}
	if correct {
		s.Correct++
		if inTruth {
			s.Found++
		}
	}
}

// SameRoot reports whether the catalog's origin is the true root: the same Telegram post
// (channel compared without case), or the same outlet page, or for other kinds the same
// URL.
func SameRoot(t Root, o catalog.Origin) bool {
	if t.Kind != o.Kind {
		return false
	}
	switch t.Kind {
	case "telegram_post":
		return strings.EqualFold(t.Channel, o.Channel) && strconv.FormatInt(t.Post, 10) == o.Post
	case "state_media":
		if t.Outlet != "" && o.Outlet != "" && t.Outlet != o.Outlet {
			return false
		}
	}
	return foldURL(t.URL) != "" && foldURL(t.URL) == foldURL(o.URL)
}

// foldURL compares URLs as Classify normalises credits: any scheme, host without www. and
// case, no trailing slash, no fragment.
func foldURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" {
		return strings.TrimRight(strings.TrimSpace(s), "/")
	}
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	q := ""
	if u.RawQuery != "" {
		q = "?" + u.RawQuery
	}
	return host + strings.TrimRight(u.EscapedPath(), "/") + q
}

func pairs(n int64) int64 { return n * (n - 1) / 2 }

func ratio(a, b int) float64 { return ratio64(int64(a), int64(b)) }

func ratio64(a, b int64) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}
