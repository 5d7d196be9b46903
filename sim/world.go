package sim

import (
	"cmp"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pravda-archive/pravda/seeds"
)

// msk is Moscow time, the CMS's zone (UTC+3, no DST since 2014); a fixed zone keeps the
// simulator independent of the host's tzdata.
var msk = time.FixedZone("MSK", 3*60*60)

// world is the generated network. It is guarded by Network.mu: generation and Publish write,
// handlers read. Per-article serving state is atomic.
type world struct {
	seed   int64
	corpus *corpus
	reg    *seeds.Registry
	faults fault
	epoch  time.Time // the clock's present when the history was generated, whole minute

	sites    []*simSite
	hosts    map[string]*simSite // current host → site
	seqs     []*sequence
	seqByKey map[string]*sequence

	stories    []*story
	articles   []*article // creation order
	channels   []*channel
	chanByName map[string]*channel // lower-case name
	outlets    []outletSpec
	pages      map[string]*outletPage // host+path
	pageHosts  map[string][]*outletPage
	images     map[string]string // md5 → YYYYMMDD

	tmplPerm []int
	tmplNext int
	live     bool // ids are assigned at creation (after the history is built)
	liveN    uint64

	oversize, loop *article
}

type simSite struct {
	site       *seeds.Site
	primary    *sequence
	seqs       []*sequence // primary first
	noDatetime bool        // renders <time> without datetime= (the notes' [guess])
	disallow   string      // robots fault: a disallowed article path prefix
}

type category struct{ slug, label string }

// sequence is one id sequence: a site's primary edition or a /xx/ translated edition.
type sequence struct {
	site      *simSite
	edition   string
	key       string // "japan", "canada/fr"
	lang      string // the edition's language, as the site declares it
	text      string // the language its text is written in (lang, or en as fallback)
	prefix    string // "" or "/fr"
	cats      []*category
	catBySlug map[string]*category
	arts      []*article // ascending id
	byID      map[int64]*article
	byCat     map[string][]*article
	last      int64
	quota     int
	index     int
}

type story struct {
	id         string
	tmpl       *storyTemplate
	sents      []int // body sentences used, in order
	paras      []int // sentences per paragraph
	fill       fill
	kind       string // telegram_post or state_media
	root       *post  // telegram: the root post
	credited   *post  // telegram: the post editions credit (root or a forward of it)
	page       *outletPage
	images     []string
	imgDate    string
	alternates bool
	emoji      string
	editions   []*article
}

type post struct {
	ch    *channel
	id    int64
	time  time.Time
	story *story
	fwd   *post // forwarded from
	lang  string
	views int
	order int
}

type channel struct {
	name, title, lang string
	posts             []*post // ascending id once assigned
	byID              map[int64]*post
	last              int64
	lastTime          time.Time
}

type creditKind uint8

const (
	creditNone creditKind = iota
	creditDirect
	creditNetwork
)

type article struct {
	seq        *sequence
	id         int64
	story      *story
	cat        *category
	pub        time.Time
	order      int
	credit     creditKind
	target     *article // network credit
	aliasHost  string   // network credit given through a legacy host
	images     []string
	noEvidence bool
	dupOf      *article
	evidence   bool
	linkOut    bool // an example.org link in the text
	quirk      bool // Japanese: stray U+FE0F and the headline repeated
	absHref    bool // listings link it with an absolute URL
	faults     fault
	gone       int // 410 or 404 once deleted
	disallowed bool

	served      atomic.Int64 // 200 responses to GET
	firstServed atomic.Int64 // unix nanos of the first, 0 before
	pages       [2][2]atomic.Pointer[page]
}

func (a *article) key() string { return a.seq.key + ":" + strconv.FormatInt(a.id, 10) }

func (a *article) path(amp bool) string {
	var b strings.Builder
	b.WriteString(a.seq.prefix)
	b.WriteByte('/')
	b.WriteString(a.cat.slug)
	b.WriteByte('/')
	b.WriteString(a.pub.In(msk).Format("2006/01/02"))
	b.WriteByte('/')
	b.WriteString(strconv.FormatInt(a.id, 10))
	if amp {
		b.WriteString("-amp")
	}
	b.WriteString(".html")
	return b.String()
}

func (a *article) host() string               { return a.seq.site.site.Host }
func (a *article) url(amp bool) string        { return "https://" + a.host() + a.path(amp) }
func (a *article) visible(now time.Time) bool { return !a.pub.After(now) }

// state reports what a request would see now: whether the article is deleted and whether
// its edited version is showing.
func (a *article) state() (gone, v2 bool) {
	s := a.served.Load() > 0
	return s && a.faults.has(fDelete), s && a.faults.has(fEdit)
}

// lastMod is when the article last changed: its edit, or its publication.
func (a *article) lastMod() time.Time {
	if _, v2 := a.state(); v2 {
		return time.Unix(0, a.firstServed.Load()).In(msk).Truncate(time.Second)
	}
	return a.pub
}

func (a *article) inAlternates() bool {
	return a.story.alternates && !a.noEvidence && a.dupOf == nil
}

// alternates are the other editions the article's hreflang links point to.
func (a *article) alternates() []*article {
	if !a.inAlternates() {
		return nil
	}
	var out []*article
	for _, b := range a.story.editions {
		if b != a && b.inAlternates() {
			out = append(out, b)
		}
	}
	return out
}

func (s *story) sourceTime() time.Time {
	if s.credited != nil {
		return s.credited.time
	}
	return s.page.time
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// lagMinutes draws a republication lag: log-normal, median 40 min, σ 1, clipped to
// [3 min, 18 h].
func lagMinutes(rng *rand.Rand) int {
	m := math.Exp(math.Log(40) + rng.NormFloat64())
	return int(math.Min(math.Max(m, 3), 18*60))
}

// pubAfter is a publication time a lag after src, pulled back to no later than end.
func pubAfter(rng *rand.Rand, src, end time.Time) time.Time {
	p := src.Add(time.Duration(lagMinutes(rng)) * time.Minute)
	if !p.After(end) {
		return p
	}
	room := int(end.Sub(src) / time.Minute)
	if room <= 0 {
		return end
	}
	return src.Add(time.Duration(room-rng.IntN(room*7/10+1)) * time.Minute)
}

var emojis = []string{"❗️", "⚡️", "🇷🇺", "📌", "❗️❗️", "🔴", "✍️"}

func newWorld(cfg Config, sites []*seeds.Site, faults fault) (*world, error) {
	c, err := loadCorpus()
	if err != nil {
		return nil, err
	}
	w := &world{
		seed: cfg.Seed, corpus: c, reg: cfg.Registry, faults: faults,
		epoch: cfg.Now().Truncate(time.Minute),
		hosts: map[string]*simSite{}, seqByKey: map[string]*sequence{},
		chanByName: map[string]*channel{}, pages: map[string]*outletPage{}, pageHosts: map[string][]*outletPage{}, images: map[string]string{},
	}
	rng := rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5052415644410001))
	for _, s := range sites {
		ss := &simSite{site: s, noDatetime: s.Kind == "language"}
		for i, lang := range s.Langs {
			ed := ""
			if i > 0 {
				ed = lang
			}
			seq := &sequence{site: ss, edition: ed, key: s.Name, lang: lang, text: lang,
				catBySlug: map[string]*category{}, byID: map[int64]*article{}, byCat: map[string][]*article{},
				index: len(w.seqs)}
			if ed != "" {
				seq.key += "/" + ed
				seq.prefix = "/" + ed
			}
			if !hasCorpus(lang) {
				seq.text = "en"
			}
			for _, slug := range categoriesFor(s, ed) {
				cat := &category{slug: slug, label: categoryLabel(slug, seq.text)}
				seq.cats = append(seq.cats, cat)
				seq.catBySlug[slug] = cat
			}
			ss.seqs = append(ss.seqs, seq)
			w.seqs = append(w.seqs, seq)
			w.seqByKey[seq.key] = seq
		}
		ss.primary = ss.seqs[0]
		w.sites = append(w.sites, ss)
		w.hosts[s.Host] = ss
	}
	for _, ch := range cfg.Registry.Channels {
		c := &channel{name: ch.Name, title: ch.Title, lang: ch.Lang, byID: map[int64]*post{}}
		if c.title == "" {
			c.title = ch.Name
		}
		w.channels = append(w.channels, c)
		w.chanByName[strings.ToLower(ch.Name)] = c
	}
	w.outlets = usableOutlets(cfg.Registry)
	if len(w.channels) == 0 && len(w.outlets) == 0 {
		return nil, fmt.Errorf("registry has neither Telegram channels nor known state outlets to originate stories")
	}
	w.tmplPerm = rng.Perm(len(c.templates))

	w.history(rng, cfg.Days, cfg.PerDay)
	w.live = true
	return w, nil
}

// history generates Days×PerDay articles per sequence before the epoch and settles ids,
// credits, evidence and faults.
func (w *world) history(rng *rand.Rand, days, perDay int) {
	end := w.epoch
	start := end.Add(-time.Duration(days) * 24 * time.Hour)
	span := int64(days*24*60 - 3)
	for _, s := range w.seqs {
		s.quota = days * perDay
	}
	var avail []*sequence
	for {
		avail = avail[:0]
		for _, s := range w.seqs {
			if s.quota > 0 {
				avail = append(avail, s)
			}
		}
		if len(avail) == 0 {
			break
		}
		t := start.Add(time.Duration(rng.Int64N(span)) * time.Minute)
		k := editionCount(rng, len(avail))
		var chosen []*sequence
		for _, i := range rng.Perm(len(avail))[:k] {
			chosen = append(chosen, avail[i])
		}
		slices.SortFunc(chosen, func(a, b *sequence) int { return a.index - b.index })
		s := w.newStory(rng, t, chosen, end)
		for _, seq := range chosen {
			seq.quota--
			a := w.newEdition(rng, s, seq, pubAfter(rng, s.sourceTime(), end))
			if rng.Float64() < 0.02 {
				w.nearDuplicate(rng, a, end)
			}
		}
	}

	// Ids follow publication order within each channel and each sequence.
	for _, ch := range w.channels {
		slices.SortFunc(ch.posts, func(a, b *post) int {
			return cmp.Or(a.time.Compare(b.time), a.order-b.order)
		})
		id := 1000 + rng.Int64N(90000)
		for _, p := range ch.posts {
			id += 1 + rng.Int64N(25)
			p.id = id
			ch.byID[id] = p
		}
		ch.last = id
		if n := len(ch.posts); n > 0 {
			ch.lastTime = ch.posts[n-1].time
		}
	}
	for _, seq := range w.seqs {
		slices.SortFunc(seq.arts, func(a, b *article) int {
			return cmp.Or(a.pub.Compare(b.pub), a.order-b.order)
		})
		id := 200000 + rng.Int64N(1800000)
		for _, a := range seq.arts {
			id += nextGap(rng)
			a.id = id
			seq.byID[id] = a
			seq.byCat[a.cat.slug] = append(seq.byCat[a.cat.slug], a)
		}
		seq.last = id
	}
	for _, s := range w.stories {
		w.assignCredits(rng, s)
		w.computeEvidence(s)
	}
	for _, ss := range w.sites {
		if w.faults.has(fRobots) && len(ss.primary.cats) > 0 {
			day := end.Add(-24 * time.Hour).In(msk).Format("2006/01/02")
			ss.disallow = ss.primary.prefix + "/" + ss.primary.cats[0].slug + "/" + day + "/"
		}
	}
	w.chooseSingletons()
	for _, a := range w.articles {
		w.settle(a)
	}
}

// nextGap is the step between consecutive ids: mostly 1, sometimes a few ids are skipped
// (drafts, removals), so a client must not assume a dense sequence.
func nextGap(rng *rand.Rand) int64 {
	if rng.Float64() < 0.05 {
		return 2 + rng.Int64N(3)
	}
	return 1
}

// editionCount draws on how many of n sequences a story appears: often one or two, else
// anywhere up to all.
func editionCount(rng *rand.Rand, n int) int {
	r := rng.Float64()
	switch {
	case n <= 1 || r < 0.3:
		return 1
	case r < 0.55 || n == 2:
		return 2
	}
	return 3 + rng.IntN(n-2)
}

func (w *world) nextTemplate(rng *rand.Rand) *storyTemplate {
	// A shuffled cycle keeps two stories from one template far apart, so that different
	// stories do not look like near-duplicates of each other.
	if w.tmplNext == len(w.tmplPerm) {
		w.tmplPerm = rng.Perm(len(w.corpus.templates))
		w.tmplNext = 0
	}
	t := w.corpus.templates[w.tmplPerm[w.tmplNext]]
	w.tmplNext++
	return t
}

// chooseSentences keeps the lead and 3–6 further sentences in order, grouped into
// paragraphs of one or two sentences.
func chooseSentences(rng *rand.Rand, n int) (sents, paras []int) {
	sents = []int{0}
	rest := rng.Perm(n - 1)
	keep := min(n-1, 3+rng.IntN(4))
	picked := rest[:keep]
	slices.Sort(picked)
	for _, i := range picked {
		sents = append(sents, i+1)
	}
	for left := len(sents); left > 0; {
		k := 1 + rng.IntN(2)
		k = min(k, left)
		paras = append(paras, k)
		left -= k
	}
	return sents, paras
}

func (w *world) newStory(rng *rand.Rand, t time.Time, seqs []*sequence, end time.Time) *story {
	s := &story{id: fmt.Sprintf("s%06d", len(w.stories)+1)}
	s.tmpl = w.nextTemplate(rng)
	s.sents, s.paras = chooseSentences(rng, len(s.tmpl.Body))
	s.fill = w.corpus.newFill(rng)
	for i := range 1 + rng.IntN(3) {
		s.images = append(s.images, md5hex(fmt.Sprintf("%d|%s|%d", w.seed, s.id, i)))
	}
	s.imgDate = t.In(msk).Format("20060102")
	s.alternates = rng.Float64() < 0.7
	s.emoji = emojis[rng.IntN(len(emojis))]
	if len(w.channels) > 0 && (len(w.outlets) == 0 || rng.Float64() < 0.75) {
		s.kind = "telegram_post"
		root := w.newPost(rng, w.pickChannel(rng, rootWeights, seqs, nil), t, s, end)
		s.root, s.credited = root, root
		if len(w.channels) > 1 && rng.Float64() < 0.2 {
			ft := root.time.Add(time.Duration(1+rng.IntN(30)) * time.Minute)
			if ft.After(end) {
				ft = end
			}
			fwd := w.newPost(rng, w.pickChannel(rng, relayWeights, seqs, root.ch), ft, s, end)
			fwd.fwd, fwd.lang = root, root.lang
			s.credited = fwd
		}
	} else {
		s.kind = "state_media"
		s.page = w.newOutletPage(rng, t, s)
	}
	w.stories = append(w.stories, s)
	return s
}

func (w *world) newEdition(rng *rand.Rand, s *story, seq *sequence, pub time.Time) *article {
	a := &article{seq: seq, story: s, pub: pub, order: len(w.articles), images: s.images}
	a.cat = seq.categoryFor(s.tmpl.Topics)
	a.quirk = seq.text == "ja" && rng.Float64() < 0.85
	a.linkOut = rng.Float64() < 0.2
	a.absHref = rng.Float64() < 0.5
	w.articles = append(w.articles, a)
	s.editions = append(s.editions, a)
	seq.arts = append(seq.arts, a)
	return a
}

// nearDuplicate republishes a's story on a's site a few hours later, lightly rewritten and
// uncredited.
func (w *world) nearDuplicate(rng *rand.Rand, a *article, end time.Time) *article {
	pub := a.pub.Add(time.Duration(60+rng.IntN(300)) * time.Minute)
	if pub.After(end) {
		pub = end
	}
	d := w.newEdition(rng, a.story, a.seq, pub)
	d.dupOf, d.cat, d.quirk = a, a.cat, a.quirk
	return d
}

func (seq *sequence) categoryFor(topics []string) *category {
	for _, t := range topics {
		if c, ok := seq.catBySlug[t]; ok {
			return c
		}
	}
	return seq.cats[0]
}

// Channel weights. Roots are mostly official and agency channels; forwards are made by
// relay channels. Pravda Nihon relays the embassy in Japan.
var (
	rootWeights = map[string]float64{
		"MID_Russia": 4, "MariaVladimirovnaZakharova": 3, "tass_agency": 3, "rian_ru": 3,
		"rt_russian": 2, "medvedev_telegram24": 1, "MFARussia": 1, "readovkanews": 1,
		"SolovievLive": 1, "rybar": 1, "PR0RU_BY": 1, "NowMelitopol": 1,
	}
	relayWeights = map[string]float64{
		"InfoDefenceFRANCE": 2, "InfoDefenceDEU": 2, "InfoDefenceEN": 2, "readovkanews": 1,
		"SolovievLive": 1, "rybar": 1, "PR0RU_BY": 1, "NowMelitopol": 1,
	}
)

func (w *world) pickChannel(rng *rand.Rand, weights map[string]float64, seqs []*sequence, not *channel) *channel {
	langs := map[string]bool{}
	for _, s := range seqs {
		langs[s.text] = true
	}
	ws := make([]float64, len(w.channels))
	total := 0.0
	for i, c := range w.channels {
		if c == not {
			continue
		}
		x, ok := weights[c.name]
		if !ok {
			x = 0.5
		}
		if c.lang != "" && c.lang != "ru" && langs[c.lang] {
			x += 6 // a channel in a story's language: rusembjp for Japan, InfoDefense*, …
		}
		ws[i] = x
		total += x
	}
	r := rng.Float64() * total
	for i, x := range ws {
		if r < x {
			return w.channels[i]
		}
		r -= x
	}
	for _, c := range w.channels {
		if c != not {
			return c
		}
	}
	return w.channels[0]
}

// newPost adds a post to ch. History posts get their ids once all are known; live posts
// continue the channel's sequence at once.
func (w *world) newPost(rng *rand.Rand, ch *channel, t time.Time, s *story, end time.Time) *post {
	p := &post{ch: ch, time: t, story: s, views: 800 + rng.IntN(150000), order: len(w.articles) + len(ch.posts)}
	p.lang = ch.lang
	if !hasCorpus(p.lang) {
		p.lang = "ru"
	}
	if p.lang == "ja" && rng.Float64() < 0.5 {
		p.lang = "ru" // the embassy posts in Japanese and in Russian
	}
	if w.live {
		if p.time.Before(ch.lastTime) {
			p.time = ch.lastTime
		}
		if p.time.After(end) {
			p.time = end
		}
		ch.last += 1 + rng.Int64N(25)
		p.id, ch.lastTime = ch.last, p.time
		ch.byID[p.id] = p
	}
	ch.posts = append(ch.posts, p)
	return p
}

// assignCredits decides how each edition of s credits its source: ~80% the immediate
// source, ~8% another network edition published before it, ~12% nothing. A quarter of the
// uncredited ones are stripped of everything that links them to the story.
func (w *world) assignCredits(rng *rand.Rand, s *story) {
	eds := slices.Clone(s.editions)
	slices.SortFunc(eds, func(a, b *article) int { return cmp.Or(a.pub.Compare(b.pub), a.order-b.order) })
	for i, a := range eds {
		if a.dupOf != nil {
			a.credit = creditNone
			continue
		}
		r := rng.Float64()
		switch {
		case r < 0.80:
			a.credit = creditDirect
		case r < 0.88:
			var cands []*article
			var hub *article
			for _, b := range eds[:i] {
				if b.credit != creditNone && b.seq.site != a.seq.site {
					cands = append(cands, b)
					if b.seq.site.site.Kind == "hub" {
						hub = b
					}
				}
			}
			if len(cands) == 0 {
				a.credit = creditDirect
				break
			}
			t := cands[rng.IntN(len(cands))]
			if hub != nil && rng.Float64() < 0.6 {
				t = hub
			}
			a.credit, a.target = creditNetwork, t
			if al := t.seq.site.site.Aliases; len(al) > 0 && rng.Float64() < 0.3 {
				a.aliasHost = al[rng.IntN(len(al))]
			}
		default:
			a.credit = creditNone
			if rng.Float64() < 0.25 {
				a.noEvidence = true
				a.images = []string{md5hex(fmt.Sprintf("%d|%s|%s|solo", w.seed, s.id, a.seq.key))}
			}
		}
	}
}

// computeEvidence marks which uncredited editions share images, alternates or near-identical
// text with a credited edition: those a tracer can honestly attribute.
func (w *world) computeEvidence(s *story) {
	for _, a := range s.editions {
		if a.credit != creditNone {
			a.evidence = true
			continue
		}
		// A stripped edition (noEvidence) shares no image or alternate, but it may still
		// share its text language with a credited edition.
		a.evidence = false
		for _, b := range s.editions {
			if b == a || b.credit == creditNone {
				continue
			}
			// An edition in the same text language as a credited one is near-identical
			// to it (hub and canada both print the English text): that is evidence too.
			if a.dupOf == b || sharesImage(a, b) || (a.inAlternates() && b.inAlternates()) || a.seq.text == b.seq.text {
				a.evidence = true
				break
			}
		}
	}
}

func sharesImage(a, b *article) bool {
	for _, x := range a.images {
		if slices.Contains(b.images, x) {
			return true
		}
	}
	return false
}

// chooseSingletons picks the one oversize article and the one redirect loop, by hash so that
// the choice does not depend on which other faults are on, among the articles robots.txt
// allows: behind a disallow no crawler would ever meet them.
func (w *world) chooseSingletons() {
	best := func(name string, not *article) *article {
		var pick *article
		lo := 2.0
		for _, a := range w.articles {
			if a == not || w.disallowed(a) {
				continue
			}
			if r := roll(w.seed, name, a.key()); r < lo {
				lo, pick = r, a
			}
		}
		return pick
	}
	if w.faults.has(fOversize) {
		w.oversize = best("oversize", nil)
	}
	if w.faults.has(fRedirectLoop) {
		w.loop = best("redirectloop", w.oversize)
	}
}

// disallowed reports whether robots.txt keeps crawlers off a's page.
func (w *world) disallowed(a *article) bool {
	return a.seq.site.disallow != "" && strings.HasPrefix(a.path(false), a.seq.site.disallow)
}

// settle fixes an article's content faults, robots status and images once its id is known.
func (w *world) settle(a *article) {
	for _, m := range a.images {
		w.images[m] = a.story.imgDate
	}
	key := a.key()
	f := w.faults
	a.disallowed = w.disallowed(a)
	switch a {
	case w.oversize:
		a.faults = fOversize
		return
	case w.loop:
		a.faults = fRedirectLoop
		return
	}
	if f.has(fMalformed) && roll(w.seed, "malformed", key) < rateMalformed {
		a.faults |= fMalformed
	}
	if f.has(fHostile) && roll(w.seed, "hostile", key) < rateHostile {
		a.faults |= fHostile
	}
	if f.has(fEdit) && roll(w.seed, "edit", key) < rateEdit {
		a.faults |= fEdit
	} else if r := roll(w.seed, "delete", key); f.has(fDelete) && r < rateDelete {
		a.faults |= fDelete
		a.gone = 410
		if r < rateDelete/2 {
			a.gone = 404
		}
	}
}

// publish creates one live story published at now on 2–4 sites, deterministic from the seed
// and the number of live stories before it.
func (w *world) publish(now time.Time) []*article {
	now = now.Truncate(time.Minute)
	rng := rand.New(rand.NewPCG(uint64(w.seed), 0x4c49564500000000|w.liveN))
	w.liveN++
	k := min(len(w.sites), 2+rng.IntN(3))
	var seqs []*sequence
	for _, i := range rng.Perm(len(w.sites))[:k] {
		ss := w.sites[i]
		seqs = append(seqs, ss.seqs[rng.IntN(len(ss.seqs))])
	}
	slices.SortFunc(seqs, func(a, b *sequence) int { return a.index - b.index })
	t := now.Add(-time.Duration(lagMinutes(rng)) * time.Minute)
	s := w.newStory(rng, t, seqs, now)
	if s.credited != nil && s.credited.time.After(now) {
		s.credited.time = now
	}
	for _, seq := range seqs {
		a := w.newEdition(rng, s, seq, now)
		seq.last += nextGap(rng)
		a.id = seq.last
		seq.byID[a.id] = a
		seq.byCat[a.cat.slug] = append(seq.byCat[a.cat.slug], a)
	}
	w.assignCredits(rng, s)
	w.computeEvidence(s)
	for _, a := range s.editions {
		w.settle(a)
	}
	return s.editions
}
