// Package sim is the simulated Pravda network: every test, benchmark and demo of the crawler
// runs against it, because the live sites are out of reach.
//
// It answers under the real host names and URL grammar (news-pravda.com and its subdomains,
// the legacy pravda-XX.com aliases, t.me and the state outlets the articles launder), on one
// port that speaks both plain HTTP and TLS, with a private CA that signs a certificate for
// whatever name the client asks for. A client reaches it the way the crawler will in tests:
// by dialling every host to the simulator's address, without rewriting a single URL.
//
// The world is generated deterministically from Config.Seed and the clock: stories with one
// root origin (a Telegram post, sometimes reached through a forward, or a state-outlet
// article), republished as articles on one or more sites with per-site sequential ids,
// credited directly, through another network page, or not at all. Every article's true
// origin, credit chain and story is known (Network.Truth), so discovery, extraction and
// tracing are measured against ground truth rather than assumed.
//
// Republication lag. An edition appears a log-normal lag after the post or page it credits:
// median 40 minutes, σ = 1 in log space (5th percentile ≈ 8 min, 95th ≈ 3½ h), clipped to
// [3 min, 18 h]. A forward follows its root post by 1–30 minutes. Editions that would fall
// after the clock's present are pulled back into (source time, now]. All simulated times are
// whole minutes, so the "DD.MM.YYYY, HH:MM" text of a page holds the exact publication time.
//
// What each simulated site answers (template.md has the markup):
//
//	/robots.txt                    User-agent: *, Disallow: /search/, Sitemap: https://HOST/sitemap.xml
//	/sitemap.xml                   index of /sitemap_news_N.xml.gz (gzip files, ≤1000 URLs, newest first,
//	                               every edition of the host)
//	/api/blocks, /api/cat          20 items a batch; keys "all" and one per category
//	/xx/api/blocks, /xx/api/cat    the same for a translated edition (canada.news-pravda.com/fr/…),
//	                               whose ids are a sequence of their own
//	/, /CAT/, /xx/, /xx/CAT/       listings, 50 a page, ?page=N older
//	/[xx/]CAT/YYYY/MM/DD/ID.html   articles (and -amp.html); a wrong date or category for a known
//	                               id → 301 to the right URL, an unknown id → 404
//	/img/YYYYMMDD/MD5[_o].jpg      small JPEGs; /img/blank.gif
//
// Legacy alias hosts answer 301 to the site's current host, same path. t.me serves
// /s/CHANNEL/POST, /s/CHANNEL, /CHANNEL/POST and /CHANNEL; outlet hosts serve the articles
// stories originate from. A host the registry does not name gets 421 and is counted as
// off-scope in Stats; a registry host the world does not use (an unsimulated site, vk.com)
// gets 404.
//
// Where the network notes say [guess], the simulator picks one form: language sites
// (deutsch, francais, …) print <time> without datetime= (Moscow time in the text only),
// the others with a +03:00 datetime; category slugs follow real URLs (/world/, /ue/,
// /germany/) with localised breadcrumb labels; the sitemap index is /sitemap.xml.
//
// Faults (see faults.go) fire only when named in Config.Faults, deterministically from the
// seed, the URL and the attempt number, and a bounded number of times per URL, so a polite
// retrying client always gets through.
package sim
