package origin

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pravda-archive/pravda/catalog"
	"github.com/pravda-archive/pravda/seeds"
)

// Story grouping. The language editions of one story are joined by what the network itself
// leaves behind: hreflang alternates, image files (the md5 name recurs across editions),
// the same root origin, the network page an edition credits. An uncredited copy that keeps
// none of that is joined by near-identical text within its language, to the one text it
// copies best; text never joins two groups the other links found (see textLinks).
// Connected components of those links are stories. An uncredited edition in a story whose
// credited editions agree on a root inherits it, marked as inferred with the links that
// joined it.

// DefaultThreshold is the Jaccard similarity of 5-rune shingle sets from which two texts
// are candidate near-duplicates. On the simulator (five seeds, ~2,100 editions), copies of
// one story score 0.60–1.0 (a dropped sentence, a prefixed headline) — but so do editions
// of different stories written from one template (up to 0.95: only numbers and names
// differ), which no Jaccard threshold separates. So a candidate must also pass
// MinContainment and keep the facts of the other text (facts.go); with those checks,
// 0.6 lost no true pair and kept 2 false ones out of ~1,300 template-mates above it.
const DefaultThreshold = 0.6

// MinContainment is the share of the shorter text's shingles that must be in the longer
// one for the two to be near-duplicates: a copy drops or adds a sentence at most.
const MinContainment = 0.9

// Defaults for Grouper.
const (
	// DefaultMaxDupGap: copies of a story appear within hours of each other (on the
	// simulator within a day: an edition at most 18 h after its source, a copy at most 6 h
	// after its original); template-mates are spread over every day.
	DefaultMaxDupGap = 48 * time.Hour
	// DefaultMaxImageShare: an image on more articles than this is a logo or stock
	// picture, not a story's own.
	DefaultMaxImageShare = 64
)

// Link kinds, as story methods and evidence name them.
const (
	viaAlternate = "alternate"
	viaImage     = "image"
	viaOrigin    = "origin"
	viaCredit    = "credit"
	viaText      = "text"
)

// Grouper regroups stories in the catalog.
type Grouper struct {
	Registry  *seeds.Registry // nil: seeds.Default()
	Catalog   *catalog.Catalog
	Threshold float64 // near-duplicate Jaccard; 0 means DefaultThreshold
	// MaxDupGap: texts published further apart than this are not compared.
	MaxDupGap     time.Duration
	MaxImageShare int
	// WindowArticles: a range holding more articles than this is regrouped in windows
	// that each read about this many (see Regroup); 0 means DefaultWindowArticles, a
	// negative value one window for any range.
	WindowArticles int
	Log            *slog.Logger
}

// GroupStats sums up one Regroup.
type GroupStats struct {
	Articles   int            // regrouped: in the days rewritten, each once
	Stories    int            // components of two or more rewritten (per window)
	Created    int            // new story ids
	Moved      int            // articles whose story changed
	Attributed int            // uncredited articles given an inferred origin now
	Inferred   int            // uncredited articles holding an inferred origin after the regroup
	Dropped    int            // inferred origins withdrawn
	Links      map[string]int // links found, by kind (per window: the margins overlap)
	Duration   time.Duration
}

// edge is one link between two articles (indexes into the loaded slice).
type edge struct {
	a, b   int
	via    string
	detail string // the md5, the URL, the similarity
}

// Scope is what one Regroup reads and may rewrite.
type Scope struct {
	// From and To bound the publication days read (YYYY-MM-DD; empty = open).
	From, To string
	// Changed, when not nil, limits the rewrite to the groups that hold one of these
	// articles (catalog row ids) or hold an article sharing a story with one: the rest
	// of the range is read only as context and keeps its stories, so the edges of the
	// range, whose links run outside it, are left as a full regroup made them.
	Changed []int64
}

// regroupBatch is how many groups' writes Regroup commits at once: enough to share
// commits, few enough not to hold the writer (a concurrent pass) for long.
const regroupBatch = 500

// Regroup recomputes the stories of the articles in the scope. Story ids are kept where a
// group keeps its members, so running it twice changes nothing the second time. Articles
// outside the range keep their story; choose a range that covers the days a story's
// editions span around the changed articles (the trace stage widens the days a pass
// touched by WindowMargin).
//
// A range holding more than WindowArticles articles is regrouped a window of days at a
// time, each window read with WindowMargin of context on either side and as many days as
// keep it within WindowArticles (one at least), so that memory follows the window rather
// than the range: a 20-day backfill of four sites (81,626 articles) held 215 MB of heap
// in one piece. Windows whose days hold none of the scope's changed articles are skipped.
// Links are local in time (texts are compared only within MaxDupGap; the editions of a
// story appear within a day), so a group the margins hold whole comes out as one piece
// would. A story a window (or a range) sees only in part, its other members on days it
// does not read, is not split, merged or re-attributed there, only joined by articles
// new to it (see outside); nor is an article of a margin day taken out of its story
// for being alone there, since its links run past the window. So regrouping in windows
// is as stable as in one piece: run twice, the second run changes nothing (81,593
// articles in one-day windows: 0 moved, where windows that rewrote what they saw in
// part moved 227 and made 26 new stories on every run).
func (g *Grouper) Regroup(ctx context.Context, sc Scope) (GroupStats, error) {
	start := time.Now()
	st := GroupStats{Links: map[string]int{}}
	windows, err := g.windows(ctx, sc)
	if err != nil {
		return st, fmt.Errorf("regroup: %w", err)
	}
	var changed map[int64]bool
	if sc.Changed != nil {
		changed = make(map[int64]bool, len(sc.Changed))
		for _, id := range sc.Changed {
			changed[id] = true
		}
	}
	for _, w := range windows {
		if err := g.regroup(ctx, w, changed, &st); err != nil {
			return st, err
		}
	}
	st.Duration = time.Since(start)
	g.log().Debug("regroup", "articles", st.Articles, "windows", len(windows), "stories", st.Stories, "created", st.Created,
		"moved", st.Moved, "attributed", st.Attributed, "links", st.Links, "took", st.Duration)
	return st, nil
}

// WindowMargin is the context a regroup reads around the days it rewrites: a copy may
// match a text up to DefaultMaxDupGap away, and the group it joins is read a day beyond.
const WindowMargin = DefaultMaxDupGap + 24*time.Hour

// DefaultWindowArticles is about how many articles one regroup window reads. Its texts
// are read as they are compared, not held: a window of 70,000 (a day of the whole
// network and its margins) peaked at 107 MB of live heap, under the crawl's soft limit
// of 160 MB, past which the GC runs back to back. Its days are a trade: the margins are
// read again by the next window, so smaller windows cost time (a 20-day backfill of
// 4,000 articles a day regrouped in 17 CPU seconds with 14-day windows, 29 with 4-day
// ones). A window is a day at least: at more than a seventh of this a day (the whole
// network's 10,000 in one pass) each reads more.
const DefaultWindowArticles = 60000

// window is one piece of a regroup: the days it reads, and the days whose articles it
// may rewrite (with the groups they are in).
type window struct {
	from, to         string // read; "" is open
	coreFrom, coreTo string // rewritten; "" is open
}

func (w window) core(day string) bool {
	return (w.coreFrom == "" || day >= w.coreFrom) && (w.coreTo == "" || day <= w.coreTo)
}

// windows splits the scope's days into windows of about WindowArticles articles, margins
// included (the scope's own bounds, even open ones, stay the outer bounds), and drops
// those whose core holds no changed article.
func (g *Grouper) windows(ctx context.Context, sc Scope) ([]window, error) {
	whole := []window{{from: sc.From, to: sc.To}}
	budget := g.WindowArticles
	if budget == 0 {
		budget = DefaultWindowArticles
	}
	if budget < 0 {
		return whole, nil
	}
	// The daily counts kept at ingest are articles per publication day, no scan needed.
	totals, err := g.Catalog.Totals(ctx, sc.From, sc.To)
	if err != nil {
		return nil, err
	}
	const layout = "2006-01-02"
	var counts []catalog.CountRow
	var days []time.Time
	sum := []int{0} // sum[i]: articles of the days before counts[i]
	for _, c := range totals {
		// An article without a day is read by the first window, whose core is open.
		d, err := time.Parse(layout, c.Day)
		if err != nil {
			continue
		}
		counts, days = append(counts, c), append(days, d)
		sum = append(sum, sum[len(sum)-1]+int(c.N))
	}
	if len(days) == 0 || sum[len(days)] <= budget {
		return whole, nil
	}
	// read is how many articles a window with core days[i..j] reads.
	read := func(i, j int) int {
		lo, _ := slices.BinarySearchFunc(days, days[i].Add(-WindowMargin), time.Time.Compare)
		hi, found := slices.BinarySearchFunc(days, days[j].Add(WindowMargin), time.Time.Compare)
		if found {
			hi++
		}
		return sum[hi] - sum[lo]
	}
	var changed map[string]bool
	if sc.Changed != nil {
		if changed, err = g.Catalog.PublishedDaysOf(ctx, sc.Changed); err != nil {
			return nil, err
		}
	}
	day := func(t time.Time) string { return t.Format(layout) }
	var out []window
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && read(i, j+1) <= budget {
			j++
		}
		// The core runs from the day after the previous core to days[j], so that a day
		// without articles when counted still belongs to one.
		cs := days[i]
		if i > 0 {
			cs = days[i-1].AddDate(0, 0, 1)
		}
		w := window{from: day(cs.Add(-WindowMargin)), to: day(days[j].Add(WindowMargin)),
			coreFrom: day(cs), coreTo: day(days[j])}
		if i == 0 {
			w.from, w.coreFrom = sc.From, ""
		} else if sc.From != "" && w.from < sc.From {
			w.from = sc.From
		}
		if j == len(days)-1 {
			w.to, w.coreTo = sc.To, ""
		} else if sc.To != "" && w.to > sc.To {
			w.to = sc.To
		}
		if changed == nil || slices.ContainsFunc(counts[i:j+1], func(c catalog.CountRow) bool { return changed[c.Day] }) {
			out = append(out, w)
		}
		i = j + 1
	}
	return out, nil
}

// regroup rewrites the groups of one window that hold a changed article (any article
// when changed is nil) of its core days.
func (g *Grouper) regroup(ctx context.Context, win window, changed map[int64]bool, st *GroupStats) error {
	arts, err := g.Catalog.LinkedArticles(ctx, win.from, win.to)
	if err != nil {
		return fmt.Errorf("regroup: %w", err)
	}
	credited := make([]bool, len(arts))
	for i := range arts {
		credited[i] = Classify(g.reg(), arts[i].SourceURL, arts[i].SourceTitle).Kind != KindNone
	}
	touched := touchedBy(arts, func(a catalog.Linked) bool {
		return win.core(a.PublishedDay) && (changed == nil || changed[a.RowID])
	})
	for i := range arts {
		if win.core(arts[i].PublishedDay) {
			st.Articles++
		}
	}
	edges, err := g.links(arts, credited, catalogTexts(ctx, g.Catalog, arts))
	if err != nil {
		return fmt.Errorf("regroup: %w", err)
	}
	for _, e := range edges {
		st.Links[e.via]++
	}
	comps := components(len(arts), edges)
	// Largest groups choose their story id first, so a split keeps the id with the bigger
	// part. Groups left as they are keep theirs.
	slices.SortFunc(comps, func(x, y []int) int { return cmp.Or(len(y)-len(x), x[0]-y[0]) })
	claimed := map[int64]bool{}
	for i, a := range arts {
		if !touched[i] && a.StoryID != 0 {
			claimed[a.StoryID] = true
		}
	}
	var alone []int64
	adj := adjacency(len(arts), edges)
	gr := &graph{arts: arts, credited: credited, edges: edges, adj: adj}
	comps = slices.DeleteFunc(comps, func(comp []int) bool {
		return !slices.ContainsFunc(comp, func(i int) bool { return touched[i] })
	})
	if len(comps) == 0 {
		return nil
	}
	outside, err := g.outside(ctx, arts)
	if err != nil {
		return fmt.Errorf("regroup: %w", err)
	}
	// The writes of regroupBatch groups share a commit.
	for chunk := range slices.Chunk(comps, regroupBatch) {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := g.Catalog.Write(ctx, func(w *catalog.Batch) error {
			for _, comp := range chunk {
				if slices.ContainsFunc(comp, func(i int) bool { return outside[arts[i].StoryID] }) {
					if err := g.extend(ctx, w, gr, comp, st); err != nil {
						return err
					}
					continue
				}
				if len(comp) == 1 {
					a := arts[comp[0]]
					if a.StoryID != 0 && !win.core(a.PublishedDay) {
						// Alone in a margin: it may be joined by a text link only the
						// window of its own day sees (its candidates' links run further).
						continue
					}
					if a.StoryID != 0 {
						alone = append(alone, a.RowID)
					}
					if err := g.attribute(ctx, w, gr, comp, nil, st); err != nil {
						return err
					}
					continue
				}
				st.Stories++
				if err := g.store(ctx, w, arts, comp, edges, adj, claimed, st); err != nil {
					return err
				}
				if err := g.attribute(ctx, w, gr, comp, nil, st); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for len(alone) > 0 {
		n := min(len(alone), 10000)
		if err := g.Catalog.SetStory(ctx, alone[:n], 0); err != nil {
			return fmt.Errorf("regroup: %w", err)
		}
		st.Moved += n
		alone = alone[n:]
	}
	return nil
}

// outside is the set of stories held by some of arts that have members outside them: a
// window (or any range) sees part of such a story, so what it finds of it may be a piece.
//
// A window must not split, merge or re-attribute what it sees in part: a story whose
// members are linked through an article beyond the window's days falls apart in the
// window's view, and each regroup would split it there and join it again in the next
// window (a 10,000-a-day backfill: 227 articles moved and 26 story ids made on every
// regroup of the same catalog). Such a group is left to the windows that see its stories
// whole; one that none does keeps the stories it has, as a range's edges do.
func (g *Grouper) outside(ctx context.Context, arts []catalog.Linked) (map[int64]bool, error) {
	seen := map[int64]int{}
	for _, a := range arts {
		if a.StoryID != 0 {
			seen[a.StoryID]++
		}
	}
	sizes, err := g.Catalog.StorySizes(ctx, sortedKeys(seen))
	if err != nil {
		return nil, err
	}
	out := map[int64]bool{}
	for id, n := range seen {
		if sizes[id] > n {
			out[id] = true
		}
	}
	return out, nil
}

// extend handles a group that holds a story seen in part (see outside): its members
// without a story join the one most of its members hold, and only they are attributed.
// The rest of it is left as it is.
func (g *Grouper) extend(ctx context.Context, w *catalog.Batch, gr *graph, comp []int, st *GroupStats) error {
	arts := gr.arts
	votes := map[int64]int{}
	var fresh []int
	for _, i := range comp {
		switch id := arts[i].StoryID; {
		case id == 0:
			fresh = append(fresh, i)
		case !gr.credited[i] && arts[i].Inferred:
			st.Inferred++ // kept as it is
			fallthrough
		default:
			votes[id]++
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	story := majority(votes)
	move := make([]int64, len(fresh))
	for k, i := range fresh {
		move[k] = arts[i].RowID
		arts[i].StoryID = story
	}
	if err := w.SetStory(ctx, move, story); err != nil {
		return fmt.Errorf("regroup: %w", err)
	}
	st.Moved += len(move)
	return g.attribute(ctx, w, gr, comp, fresh, st)
}

// catalogTexts reads the texts of arts from the catalog as textLinks asks for them.
func catalogTexts(ctx context.Context, c *catalog.Catalog, arts []catalog.Linked) textSource {
	return func(idx []int, fn func(i int, text string) error) error {
		ids := make([]int64, len(idx))
		for k, i := range idx {
			ids[k] = arts[i].RowID
		}
		return c.Texts(ctx, ids, func(k int, text string) error { return fn(idx[k], text) })
	}
}

// touchedBy marks the articles whose group a regroup may rewrite: those changed says
// and every article sharing a story with one.
func touchedBy(arts []catalog.Linked, changed func(catalog.Linked) bool) []bool {
	touched := make([]bool, len(arts))
	stories := map[int64]bool{}
	for i, a := range arts {
		if changed(a) {
			touched[i] = true
			if a.StoryID != 0 {
				stories[a.StoryID] = true
			}
		}
	}
	for i, a := range arts {
		if a.StoryID != 0 && stories[a.StoryID] {
			touched[i] = true
		}
	}
	return touched
}

func (g *Grouper) reg() *seeds.Registry {
	if g.Registry == nil {
		return defaultRegistry()
	}
	return g.Registry
}

func (g *Grouper) log() *slog.Logger {
	if g.Log == nil {
		return slog.Default()
	}
	return g.Log
}

// links finds every link among the articles; texts reads their texts (see textLinks).
func (g *Grouper) links(arts []catalog.Linked, credited []bool, texts textSource) ([]edge, error) {
	var edges []edge
	// The same URLs come back as one edition's canonical URL, the others' alternates and
	// the chains' hops, and parsing one against the registry costs more than the rest of
	// the link finding: each is folded once.
	keys := make(map[string]string, 2*len(arts))
	urlKey := func(u string) string {
		k, ok := keys[u]
		if !ok {
			k = g.urlKey(u)
			keys[u] = k
		}
		return k
	}
	byURL := map[string]int{}
	for i, a := range arts {
		for _, u := range []string{a.CanonicalURL, a.URL} {
			if k := urlKey(u); k != "" {
				if _, dup := byURL[k]; !dup {
					byURL[k] = i
				}
			}
		}
	}
	// hreflang alternates.
	for i, a := range arts {
		for _, u := range a.Alternates {
			if j, ok := byURL[urlKey(u)]; ok && j != i {
				edges = append(edges, edge{i, j, viaAlternate, u})
			}
		}
	}
	// Shared images.
	maxShare := g.MaxImageShare
	if maxShare <= 0 {
		maxShare = DefaultMaxImageShare
	}
	byImage := map[string][]int{}
	for i, a := range arts {
		for _, m := range a.Images {
			if l := byImage[m]; len(l) == 0 || l[len(l)-1] != i {
				byImage[m] = append(l, i)
			}
		}
	}
	for _, m := range sortedKeys(byImage) {
		l := byImage[m]
		if len(l) < 2 || len(l) > maxShare {
			continue
		}
		for _, j := range l[1:] {
			edges = append(edges, edge{l[0], j, viaImage, m})
		}
	}
	// The same root origin, and the network pages a chain passes through. Inferred
	// origins are the grouping's own output, not evidence for it.
	byRoot := map[string][]int{}
	for i, a := range arts {
		if !credited[i] || a.Inferred {
			continue
		}
		if k := rootKey(a.Origin); k != "" {
			byRoot[k] = append(byRoot[k], i)
		}
		for _, u := range a.HopURLs {
			if j, ok := byURL[urlKey(u)]; ok && j != i {
				edges = append(edges, edge{i, j, viaCredit, u})
			}
		}
	}
	for _, k := range sortedKeys(byRoot) {
		l := byRoot[k]
		for _, j := range l[1:] {
			edges = append(edges, edge{l[0], j, viaOrigin, arts[l[0]].Origin.URL})
		}
	}
	text, err := g.textLinks(arts, credited, edges, texts)
	if err != nil {
		return nil, err
	}
	return append(edges, text...), nil
}

// textLinks joins uncredited articles that nothing else links to the story whose text they
// copy. Text is the weakest link: other stories written from the same template can pass
// every check (facts.go), so it never joins two groups that other links found. Each
// article the other links leave alone gets one text link, to its most similar text; in
// that graph every group ends in at most one group found by other links.
//
// The texts are not held: texts streams the body texts of the articles asked for (by
// index into arts), once for every text to find the candidates, once for the candidates'
// shingles and once for the facts of the pairs that pass the similarity checks.
func (g *Grouper) textLinks(arts []catalog.Linked, credited []bool, strong []edge, texts textSource) ([]edge, error) {
	threshold := g.Threshold
	if threshold <= 0 {
		threshold = DefaultThreshold
	}
	gap := g.MaxDupGap
	if gap <= 0 {
		gap = DefaultMaxDupGap
	}
	alone := make([]bool, len(arts))
	for i := range alone {
		alone[i] = !credited[i]
	}
	for _, e := range strong {
		alone[e.a], alone[e.b] = false, false
	}
	type match struct {
		to  int
		jac float64
	}
	best := map[int]match{}
	// Shingled with the title, whose words a copy keeps too.
	titled := func(idx []int, fn func(i int, text string) error) error {
		return texts(idx, func(i int, text string) error { return fn(i, arts[i].Title+"\n"+text) })
	}
	when := near{at: make([]int64, len(arts)), gap: int64(gap)}
	for i, a := range arts {
		when.at[i] = noTime
		if !a.Published.IsZero() {
			when.at[i] = nanos(a.Published)
		}
	}
	pairs, err := textPairs(len(arts), titled, alone, when, threshold)
	if err != nil {
		return nil, err
	}
	// A copy is (nearly) contained in its original and keeps its facts.
	pairs = slices.DeleteFunc(pairs, func(p nearPair) bool { return p.contain < MinContainment })
	var factsOfPairs []int
	for _, p := range pairs {
		factsOfPairs = append(factsOfPairs, p.i, p.j)
	}
	slices.Sort(factsOfPairs)
	factsOfPairs = slices.Compact(factsOfPairs)
	factsAt := make(map[int]facts, len(factsOfPairs))
	var mu sync.Mutex
	err = streamParallel(texts, factsOfPairs, func(i int, text string) {
		f := factsOf(text)
		mu.Lock()
		factsAt[i] = f
		mu.Unlock()
	})
	if err != nil {
		return nil, err
	}
	for _, p := range pairs {
		small, large := p.small, p.i+p.j-p.small
		if !factsAt[small].within(factsAt[large]) {
			continue
		}
		for _, x := range [][2]int{{p.i, p.j}, {p.j, p.i}} {
			if !alone[x[0]] {
				continue
			}
			// A copy in a group others links found beats another lone copy: it carries
			// the story (and its credit) the lone copies share.
			m, ok := best[x[0]]
			grouped := !alone[x[1]]
			if !ok || grouped && alone[m.to] || grouped == !alone[m.to] && p.jaccard > m.jac {
				best[x[0]] = match{x[1], p.jaccard}
			}
		}
	}
	var out []edge
	for _, i := range sortedKeys(best) {
		m := best[i]
		out = append(out, edge{i, m.to, viaText, "J=" + strconv.FormatFloat(m.jac, 'f', 2, 64)})
	}
	return out, nil
}

// urlKey folds an article URL to the canonical form on its site's current host, so that
// alternates given with a legacy host or as the AMP copy still match.
func (g *Grouper) urlKey(u string) string {
	if u == "" {
		return ""
	}
	if c, err := g.reg().Canonical(u); err == nil {
		return c
	}
	return u
}

// rootKey is the identity of a root origin that can join a story: one Telegram post, one
// outlet article, one network page. A channel, an outlet's home page or a social profile
// supplies many stories and joins nothing.
func rootKey(o catalog.Origin) string {
	switch Kind(o.Kind) {
	case KindTelegramPost:
		if o.Post == "" {
			return ""
		}
		if o.Channel != "" {
			return "tg:" + strings.ToLower(o.Channel) + "/" + o.Post
		}
		return "tg:" + o.URL
	case KindStateMedia, KindWeb:
		if hasPath(o.URL) {
			return "url:" + o.URL
		}
	case KindNetwork:
		if o.ArtID != 0 {
			return "net:" + o.Site + ":" + strconv.FormatInt(o.ArtID, 10)
		}
	}
	return ""
}

// components are the connected components of the link graph, each sorted, by first member.
func components(n int, edges []edge) [][]int {
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	for _, e := range edges {
		if ra, rb := find(e.a), find(e.b); ra != rb {
			parent[max(ra, rb)] = min(ra, rb)
		}
	}
	groups := map[int][]int{}
	for i := range n {
		r := find(i)
		groups[r] = append(groups[r], i)
	}
	out := make([][]int, 0, len(groups))
	for _, r := range sortedKeys(groups) {
		out = append(out, groups[r])
	}
	slices.SortFunc(out, func(x, y []int) int { return x[0] - y[0] })
	return out
}

func adjacency(n int, edges []edge) [][]int {
	adj := make([][]int, n)
	for k, e := range edges {
		adj[e.a] = append(adj[e.a], k)
		adj[e.b] = append(adj[e.b], k)
	}
	return adj
}

// store gives a component its story id: the one most of its members hold, unless a larger
// component took it, else a new one.
func (g *Grouper) store(ctx context.Context, w *catalog.Batch, arts []catalog.Linked, comp []int, edges []edge, adj [][]int,
	claimed map[int64]bool, st *GroupStats) error {
	votes := map[int64]int{}
	for _, i := range comp {
		if id := arts[i].StoryID; id != 0 && !claimed[id] {
			votes[id]++
		}
	}
	story := majority(votes)
	method := methodOf(comp, edges, adj)
	if story == 0 {
		id, err := w.NewStory(ctx, method)
		if err != nil {
			return fmt.Errorf("regroup: %w", err)
		}
		story = id
		st.Created++
	} else if old, err := w.StoryMethod(ctx, story); err != nil {
		return fmt.Errorf("regroup: %w", err)
	} else if old != method {
		if err := w.SetStoryMethod(ctx, story, method); err != nil {
			return fmt.Errorf("regroup: %w", err)
		}
	}
	claimed[story] = true
	var move []int64
	for _, i := range comp {
		if arts[i].StoryID != story {
			move = append(move, arts[i].RowID)
			arts[i].StoryID = story
		}
	}
	if len(move) == 0 {
		return nil
	}
	st.Moved += len(move)
	if err := w.SetStory(ctx, move, story); err != nil {
		return fmt.Errorf("regroup: %w", err)
	}
	return nil
}

// majority is the story most votes go to, the lowest id of those tied; 0 if none.
func majority(votes map[int64]int) int64 {
	var story int64
	best := 0
	for _, id := range sortedKeys(votes) {
		if votes[id] > best {
			story, best = id, votes[id]
		}
	}
	return story
}

// methodOf lists the kinds of link that hold a component together: "alternate+image+origin".
func methodOf(comp []int, edges []edge, adj [][]int) string {
	kinds := map[string]bool{}
	for _, i := range comp {
		for _, k := range adj[i] {
			kinds[edges[k].via] = true
		}
	}
	return strings.Join(sortedKeys(kinds), "+")
}

// attribute gives the uncredited members of a component the root origin its credited
// members agree on, or withdraws an inferred origin the component no longer supports.
// only, when not nil, is the members to attribute; the others are left as they are.
func (g *Grouper) attribute(ctx context.Context, w *catalog.Batch, gr *graph, comp []int, only []int, st *GroupStats) error {
	arts, credited := gr.arts, gr.credited
	roots := map[string]int{}
	var firstOf = map[string]int{}
	n := 0
	for _, i := range comp {
		a := arts[i]
		if !credited[i] || a.Inferred {
			continue
		}
		k := rootKey(a.Origin)
		if k == "" {
			k = "other:" + a.Origin.Kind + "|" + a.Origin.URL + "|" + a.Origin.Channel + "|" + a.Origin.Outlet
		}
		if _, ok := firstOf[k]; !ok {
			firstOf[k] = i
		}
		roots[k]++
		n++
	}
	// A root all credited members agree on, or one a clear majority (two thirds) does:
	// a minority root is a mis-credit or a chain that could not be followed to its end.
	rootAt := -1
	for _, k := range sortedKeys(roots) {
		if roots[k]*3 >= n*2 {
			rootAt = firstOf[k]
		}
	}
	for _, i := range comp {
		if credited[i] || only != nil && !slices.Contains(only, i) {
			continue
		}
		a := arts[i]
		if rootAt < 0 || Kind(arts[rootAt].Origin.Kind) == KindNone {
			if a.Inferred || Kind(a.Origin.Kind) != KindNone && a.Origin.Kind != "" {
				if err := g.withdraw(ctx, w, a); err != nil {
					return err
				}
				st.Dropped++
			}
			continue
		}
		root := arts[rootAt].Origin
		st.Inferred++
		if a.Inferred && a.Origin == root {
			continue // unchanged
		}
		hop := catalog.Hop{N: 1, Kind: root.Kind, URL: root.URL, Channel: root.Channel, Post: root.Post,
			Outlet: root.Outlet, Evidence: evInferred + gr.path(i)}
		// One write: hops marked inferred are what says the origin is inferred.
		if err := w.SetTrace(ctx, a.RowID, root, []catalog.Hop{hop}); err != nil {
			return fmt.Errorf("regroup: attribute %s:%d: %w", a.Site, a.ID, err)
		}
		st.Attributed++
	}
	return nil
}

func (g *Grouper) withdraw(ctx context.Context, w *catalog.Batch, a catalog.Linked) error {
	if err := w.SetTrace(ctx, a.RowID, catalog.Origin{Kind: string(KindNone)}, nil); err != nil {
		return fmt.Errorf("regroup: withdraw %s:%d: %w", a.Site, a.ID, err)
	}
	return nil
}

// graph is the link graph over the loaded articles.
type graph struct {
	arts     []catalog.Linked
	credited []bool
	edges    []edge
	adj      [][]int // edge indexes per article
}

// maxPathLinks bounds the links an inferred origin's evidence spells out.
const maxPathLinks = 6

// path explains how article i reaches the nearest credited member of its story: the links
// followed, shortest first (breadth-first), ending at the credited edition.
func (gr *graph) path(i int) string {
	via := map[int]int{i: -1} // article → edge it was reached by
	queue := []int{i}
	end := -1
	for len(queue) > 0 && end < 0 {
		x := queue[0]
		queue = queue[1:]
		for _, k := range gr.adj[x] {
			e := gr.edges[k]
			y := e.a
			if y == x {
				y = e.b
			}
			if _, seen := via[y]; seen {
				continue
			}
			via[y] = k
			if gr.credited[y] && !gr.arts[y].Inferred {
				end = y
				break
			}
			queue = append(queue, y)
		}
	}
	if end < 0 {
		return "no credited edition reachable"
	}
	var steps []string
	for y := end; via[y] >= 0; {
		e := gr.edges[via[y]]
		x := e.a
		if x == y {
			x = e.b
		}
		steps = append(steps, e.via+" "+clip(e.detail)+" → "+key(gr.arts[y]))
		y = x
	}
	slices.Reverse(steps)
	if len(steps) > maxPathLinks {
		steps = append(steps[:maxPathLinks-1], "…", steps[len(steps)-1])
	}
	a := gr.arts[end]
	return strings.Join(steps, "; ") + " (credited: " + clip(firstOf(a.SourceURL, a.SourceTitle)) + ")"
}

func key(a catalog.Linked) string { return a.Site + ":" + strconv.FormatInt(a.ID, 10) }

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	ks := make([]K, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
