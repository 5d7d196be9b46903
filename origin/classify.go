package origin

import (
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/pravda-archive/pravda/seeds"
	"golang.org/x/text/unicode/norm"
)

// Kind is the kind of an origin.
type Kind string

// Kinds of origin. KindStateMedia covers both state outlets and official sites (the registry's
// state_media and official outlets); Outlet tells them apart.
const (
	KindTelegramPost    Kind = "telegram_post"    // a post: t.me/CH/123, t.me/s/CH/123, t.me/c/ID/123
	KindTelegramChannel Kind = "telegram_channel" // a channel with no post: t.me/CH, `Telegram "CH"`
	KindStateMedia      Kind = "state_media"      // a registered state outlet or official site
	KindSocial          Kind = "social"           // a social platform page (vk, ok, dzen, max, telegra.ph, t.me non-channel links)
	KindNetwork         Kind = "network"          // another page of the Pravda network: a chain to follow
	KindWeb             Kind = "web"              // any other http(s) page
	KindNone            Kind = "none"             // no usable credit
)

// Origin is a classified source credit. Which fields are set depends on Kind.
type Origin struct {
	Kind Kind `json:"kind"`
	// URL is the credit normalised: lower-case host without www., no fragment, no tracking
	// parameters; for Telegram https://t.me/CH[/POST], for network articles the canonical URL.
	URL      string `json:"url,omitempty"`
	Channel  string `json:"channel,omitempty"`  // Telegram username, spelled as the registry does when known
	Post     int64  `json:"post,omitempty"`     // Telegram message id
	Outlet   string `json:"outlet,omitempty"`   // registry outlet id (state_media)
	Owner    string `json:"owner,omitempty"`    // who runs the outlet or channel, where public
	Platform string `json:"platform,omitempty"` // telegram, vk, ok, dzen, max, telegraph
	Site     string `json:"site,omitempty"`     // network site key ("japan", "canada/fr")
	ID       int64  `json:"id,omitempty"`       // network article id; 0 for a non-article network page
	Key      string `json:"key,omitempty"`      // network article key, "site:id"
}

// maxInput caps the credit strings Classify looks at; real ones are under 300 bytes.
const maxInput = 2048

// Classify maps an article's source credit — data-source-url and the credit's visible
// name — to an Origin. The URL decides; the title is used when the URL is empty or
// unusable (`Telegram "X"` names a channel, an outlet's name a state outlet, a network
// site's display name that site). reg nil means seeds.Default(). Classify is a pure
// function of its arguments.
func Classify(reg *seeds.Registry, sourceURL, sourceTitle string) Origin {
	if reg == nil {
		reg = defaultRegistry()
	}
	if o, ok := classifyURL(reg, sourceURL); ok {
		return o
	}
	if o, ok := classifyTitle(reg, sourceTitle); ok {
		return o
	}
	return Origin{Kind: KindNone}
}

var defaultRegistry = sync.OnceValue(seeds.Default)

// classifyURL classifies a credit URL; ok is false when it is empty or not a web URL.
func classifyURL(reg *seeds.Registry, raw string) (Origin, bool) {
	u, ok := normalize(raw)
	if !ok {
		return Origin{}, false
	}
	if u.Scheme == "tg" {
		return telegramDeepLink(reg, u)
	}
	host := u.Hostname()
	if isTelegramHost(reg, host) {
		return telegram(reg, u), true
	}
	if s, a, err := reg.Article(u.String()); err == nil {
		return Origin{Kind: KindNetwork, URL: seeds.CanonicalURL(s, a), Site: a.SiteKey(), ID: a.ID, Key: a.Key()}, true
	}
	if s, ok := reg.SiteByHost(host); ok {
		return Origin{Kind: KindNetwork, URL: u.String(), Site: s.Name}, true
	}
	if o, ok := reg.Outlet(host); ok {
		switch o.Kind {
		case "state_media", "official":
			return Origin{Kind: KindStateMedia, URL: u.String(), Outlet: o.ID, Owner: o.Owner}, true
		case "social":
			return Origin{Kind: KindSocial, URL: u.String(), Platform: o.Platform}, true
		}
		return Origin{Kind: KindWeb, URL: u.String(), Outlet: o.ID, Owner: o.Owner}, true
	}
	return Origin{Kind: KindWeb, URL: u.String()}, true
}

// normalize parses a credit URL leniently (missing scheme, surrounding quotes or
// brackets, stray whitespace) and strips what does not identify the page: fragment,
// tracking parameters, www., port, userinfo.
func normalize(raw string) (*url.URL, bool) {
	raw = trimTail(raw)
	if raw == "" || len(raw) > maxInput || strings.ContainsAny(raw, " \t\n\r") {
		return nil, false
	}
	lower := strings.ToLower(raw)
	switch {
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"), strings.HasPrefix(lower, "tg:"):
	case strings.HasPrefix(raw, "//"):
		raw = "https:" + raw
	case strings.Contains(raw, "://"):
		return nil, false // another scheme: ftp, javascript, …
	default:
		// "t.me/CH/1", "tass.ru/politika/1": a host first, with a dot in it.
		h := raw
		if i := strings.IndexAny(h, "/?#"); i >= 0 {
			h = h[:i]
		}
		if !strings.Contains(h, ".") || strings.ContainsAny(h, ":@") {
			return nil, false
		}
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, false
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme == "tg" {
		return u, true
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, false
	}
	host := strings.TrimRight(strings.ToLower(u.Hostname()), ".")
	host = strings.TrimPrefix(host, "www.")
	if !validHost(host) {
		return nil, false
	}
	if strings.Contains(host, ":") { // IPv6 literal
		host = "[" + host + "]"
	}
	u.Host, u.User = host, nil
	u.Fragment, u.RawFragment = "", ""
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			lk := strings.ToLower(k)
			if strings.HasPrefix(lk, "utm_") || tracking[lk] {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode()
	}
	u.ForceQuery = false
	// Dropping a query can bare punctuation the first trim could not see.
	out := u.String()
	if len(out) > maxInput { // percent-encoding can triple a path
		return nil, false
	}
	if trimTail(out) != out {
		if u, err = url.Parse(trimTail(out)); err != nil {
			return nil, false
		}
	}
	return u, true
}

// trimTail strips what prose and markup glue around a link: whitespace, quotes and angle
// brackets on both ends; commas, semicolons, an empty query or fragment, and a closing
// parenthesis the link did not open at the end.
func trimTail(s string) string {
	for {
		n := len(s)
		s = strings.TrimFunc(s, func(r rune) bool {
			return unicode.IsSpace(r) || strings.ContainsRune(`"'<>«»“”`, r)
		})
		s = strings.TrimRight(s, ",;?#")
		if !strings.Contains(s, "(") {
			s = strings.TrimRight(s, ")")
		}
		if len(s) == n {
			return s
		}
	}
}

// validHost accepts DNS names (internationalised too) and IP literals.
func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	if strings.Contains(h, ":") {
		return net.ParseIP(h) != nil
	}
	if strings.Contains(h, "..") || strings.HasPrefix(h, ".") {
		return false
	}
	alnum := false
	for _, r := range h {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			alnum = true
		case r == '-' || r == '.' || r == '_':
		default:
			return false
		}
	}
	return alnum
}

// tracking are query parameters that say how a link was shared, not what it points to.
var tracking = map[string]bool{
	"fbclid": true, "gclid": true, "yclid": true, "dclid": true, "mc_cid": true, "mc_eid": true,
	"ref_src": true, "igshid": true,
}

// isTelegramHost reports t.me and its aliases (telegram.me, telegram.dog and any host the
// registry gives the telegram platform), and username.t.me subdomains.
func isTelegramHost(reg *seeds.Registry, host string) bool {
	switch host {
	case "t.me", "telegram.me", "telegram.dog":
		return true
	}
	if strings.HasSuffix(host, ".t.me") {
		return true
	}
	o, ok := reg.Outlet(host)
	return ok && o.Platform == "telegram" && o.Kind == "social"
}

// username is Telegram's public-name grammar (5–32 characters; a few old names are
// shorter, so 4 is allowed).
var username = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{3,31}$`)

// reserved are t.me paths that are not channels: invites, sticker and theme links, the
// share and instant-view endpoints, proxy settings, site pages.
var reserved = map[string]bool{
	"joinchat": true, "addstickers": true, "addemoji": true, "addtheme": true, "addlist": true,
	"share": true, "iv": true, "proxy": true, "socks": true, "login": true, "setlanguage": true,
	"bg": true, "invoice": true, "confirmphone": true, "contact": true, "boost": true,
	"giftcode": true, "premium": true, "blog": true, "faq": true, "apps": true, "privacy": true,
	"tos": true, "api": true, "dl": true, "web": true, "auth": true, "passport": true,
	"msg": true, "msg_url": true, "nft": true, "stars": true, "addpremium": true,
}

// telegram classifies a URL on a Telegram host.
func telegram(reg *seeds.Registry, u *url.URL) Origin {
	social := Origin{Kind: KindSocial, URL: u.String(), Platform: "telegram"}
	var segs []string
	for _, s := range strings.Split(u.Path, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	host := u.Hostname()
	if sub, ok := strings.CutSuffix(host, ".t.me"); ok { // rusembjp.t.me/1234
		segs = append([]string{sub}, segs...)
	}
	if len(segs) > 0 && segs[0] == "s" { // the public web view: same channel, same post
		segs = segs[1:]
	}
	if len(segs) == 0 {
		return social
	}
	if segs[0] == "c" { // private channel: t.me/c/INTERNAL_ID/POST; no name to resolve
		if len(segs) >= 3 {
			if post := postID(segs[len(segs)-1]); post > 0 {
				return Origin{Kind: KindTelegramPost, Platform: "telegram",
					URL: "https://t.me/c/" + segs[1] + "/" + strconv.FormatInt(post, 10), Post: post}
			}
		}
		return social
	}
	name := segs[0]
	if strings.HasPrefix(name, "+") || strings.HasPrefix(name, "$") || reserved[strings.ToLower(name)] ||
		!username.MatchString(name) {
		return social
	}
	o := channel(reg, name)
	// t.me/CH/POST, or t.me/CH/TOPIC/POST in a forum: the message is the last number.
	if len(segs) >= 2 {
		if post := postID(segs[len(segs)-1]); post > 0 {
			o.Kind, o.Post = KindTelegramPost, post
			o.URL += "/" + strconv.FormatInt(post, 10)
		}
	}
	return o
}

// telegramDeepLink reads tg://resolve?domain=CH&post=N and tg://privatepost?channel=ID&post=N.
func telegramDeepLink(reg *seeds.Registry, u *url.URL) (Origin, bool) {
	q := u.Query()
	post := postID(q.Get("post"))
	switch strings.ToLower(u.Host + u.Opaque) {
	case "resolve":
		name := q.Get("domain")
		if !username.MatchString(name) || reserved[strings.ToLower(name)] {
			return Origin{}, false
		}
		o := channel(reg, name)
		if post > 0 {
			o.Kind, o.Post = KindTelegramPost, post
			o.URL += "/" + strconv.FormatInt(post, 10)
		}
		return o, true
	case "privatepost":
		id := q.Get("channel")
		if post > 0 && postID(id) > 0 {
			return Origin{Kind: KindTelegramPost, Platform: "telegram", URL: "https://t.me/c/" + id + "/" + strconv.FormatInt(post, 10), Post: post}, true
		}
	}
	return Origin{}, false
}

// channel is a telegram_channel origin for a username, spelled and owned as the registry
// knows it.
func channel(reg *seeds.Registry, name string) Origin {
	o := Origin{Kind: KindTelegramChannel, Platform: "telegram", Channel: name}
	if c, ok := reg.Channel(name); ok {
		o.Channel, o.Owner = c.Name, c.Owner
	}
	o.URL = "https://t.me/" + o.Channel
	return o
}

// postID reads a message id: a positive decimal of sane length.
func postID(s string) int64 {
	if s == "" || len(s) > 12 {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// telegramTitle matches the CMS's credit text for Telegram, `Telegram "channel"`, and
// the variants other CMS versions and languages may write.
var telegramTitle = regexp.MustCompile(`(?i)^(?:telegram|телеграм|телеграмм|tg)(?:[\s-]*(?:channel|канал|kanal))?\s*[:\-–—]?\s*["'«“„]?\s*@?([^"'»”“]+?)\s*["'»”“]?$`)

// classifyTitle classifies a credit by its visible name alone.
func classifyTitle(reg *seeds.Registry, title string) (Origin, bool) {
	title = strings.Join(strings.Fields(title), " ")
	if title == "" || len(title) > maxInput {
		return Origin{}, false
	}
	if m := telegramTitle.FindStringSubmatch(title); m != nil {
		return titledChannel(reg, m[1])
	}
	if name, ok := strings.CutPrefix(title, "@"); ok && username.MatchString(name) {
		return titledChannel(reg, name)
	}
	idx := titles(reg)
	key := nameKey(title)
	if s, ok := idx.sites[key]; ok {
		return Origin{Kind: KindNetwork, Site: s}, true
	}
	// The longest leading run of words that names an outlet: "РИА Новости Крым" is RIA,
	// "RT на русском" is RT.
	words := strings.Fields(key)
	for n := len(words); n > 0; n-- {
		if o, ok := idx.outlets[strings.Join(words[:n], " ")]; ok {
			switch o.Kind {
			case "state_media", "official":
				return Origin{Kind: KindStateMedia, Outlet: o.ID, Owner: o.Owner}, true
			case "social":
				return Origin{Kind: KindSocial, Platform: o.Platform}, true
			}
		}
	}
	// A bare host as the name ("tass.ru").
	if strings.Contains(title, ".") && !strings.Contains(title, " ") {
		if o, ok := classifyURL(reg, title); ok {
			return o, true
		}
	}
	return Origin{}, false
}

// titledChannel resolves a channel named in a credit: a username as is, else a channel
// whose registry title matches, else the name as the page gave it. A name with no letter
// or digit names nothing.
func titledChannel(reg *seeds.Registry, name string) (Origin, bool) {
	name = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), "@"))
	if username.MatchString(name) {
		return channel(reg, name), true
	}
	if !strings.ContainsFunc(name, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return Origin{}, false
	}
	key := nameKey(name)
	for _, c := range reg.Channels {
		if nameKey(c.Title) == key {
			return channel(reg, c.Name), true
		}
	}
	return Origin{Kind: KindTelegramChannel, Platform: "telegram", Channel: name}, true
}

// nameKey folds a name for lookup: NFKC, lower case, no quotes, single spaces.
func nameKey(s string) string {
	s = strings.ToLower(norm.NFKC.String(s))
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`"'«»“”„`, r) {
			return -1
		}
		if r == 'ё' {
			return 'е'
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// titleIndex maps folded names to network sites and outlets.
type titleIndex struct {
	sites   map[string]string // display name → site name
	outlets map[string]*seeds.Outlet
}

// outletAliases are names outlets are credited by on the network that the registry does
// not spell (mostly Russian), keyed by registry outlet id.
var outletAliases = map[string][]string{
	"tass":             {"ТАСС", "ИТАР-ТАСС", "TASS.ru"},
	"ria":              {"РИА Новости", "РИА", "RIA", "RIA Novosti", "ria.ru"},
	"rt":               {"RT", "RT на русском", "Russia Today", "RT News"},
	"sputnik":          {"Sputnik", "Спутник", "Sputnik News", "Sputnik Globe"},
	"lenta":            {"Лента.ру", "Lenta.ru", "Лента"},
	"kp":               {"Комсомольская правда", "КП", "KP.ru", "Komsomolskaya Pravda"},
	"izvestia":         {"Известия", "Izvestia", "iz.ru"},
	"rg":               {"Российская газета", "РГ", "Rossiyskaya Gazeta"},
	"tsargrad":         {"Царьград", "Tsargrad", "Царьград ТВ", "Tsargrad TV"},
	"newsfront":        {"News Front", "NewsFront", "Ньюс Фронт", "News-Front"},
	"gazeta":           {"Газета.ру", "Gazeta.ru"},
	"rbc":              {"РБК", "RBC"},
	"topwar":           {"Военное обозрение", "Topwar", "TopWar.ru"},
	"zvezda":           {"Звезда", "Телеканал Звезда", "Zvezda"},
	"1tv":              {"Первый канал", "Channel One"},
	"vesti":            {"Вести", "Вести.ру", "ВГТРК", "Vesti"},
	"rossiya-segodnya": {"ИноСМИ", "InoSMI"},
	"mid":              {"МИД России", "МИД РФ", "Russian MFA", "MFA Russia"},
	"kremlin":          {"Кремль", "Kremlin", "Kremlin.ru"},
	"mil":              {"Минобороны России", "Министерство обороны РФ", "Минобороны РФ", "Russian Defence Ministry", "Russian MoD"},
	"vk":               {"ВКонтакте", "VK", "VKontakte"},
	"ok":               {"Одноклассники", "OK"},
	"dzen":             {"Дзен", "Яндекс Дзен", "Dzen"},
	"max":              {"MAX"},
	"telegraph":        {"Telegraph"},
}

var titleIndexes sync.Map // *seeds.Registry → *titleIndex

// titles builds (once per registry, which is read-only after loading) the name index.
func titles(reg *seeds.Registry) *titleIndex {
	if v, ok := titleIndexes.Load(reg); ok {
		return v.(*titleIndex)
	}
	idx := &titleIndex{sites: map[string]string{}, outlets: map[string]*seeds.Outlet{}}
	for _, s := range reg.Sites {
		idx.sites[nameKey(s.Display)] = s.Name
	}
	for _, o := range reg.Outlets {
		// Registry names and ids first, then the aliases: a name the registry spells wins.
		for _, n := range append([]string{o.Name, o.ID}, o.Domains...) {
			if _, taken := idx.outlets[nameKey(n)]; !taken {
				idx.outlets[nameKey(n)] = o
			}
		}
	}
	for id, names := range outletAliases {
		o, ok := reg.OutletByID(id)
		if !ok {
			continue
		}
		for _, n := range names {
			if _, taken := idx.outlets[nameKey(n)]; !taken {
				idx.outlets[nameKey(n)] = o
			}
		}
	}
	v, _ := titleIndexes.LoadOrStore(reg, idx)
	return v.(*titleIndex)
}
