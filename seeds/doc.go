// Package seeds is the registry of what the archive is allowed to touch: the Pravda-network
// sites (hosts, legacy aliases, languages, countries) and the origin hosts their articles
// launder (state outlets and their owners, social platforms, known Telegram channels).
//
// The registry is embedded in the binary (sites.yaml, origins.yaml) and can be replaced by a
// file of the same shape. It also holds the network's URL grammar, so that any URL can be
// mapped to (site, id) and its canonical form whatever host it was fetched from: a site keeps
// one id sequence when it moves host, so the host alone identifies nothing.
package seeds
