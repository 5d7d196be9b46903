// Package config reads the YAML file that sets up `pravda serve`: the data
// directory, the listen address, the seeds file, how to fetch (resolve
// rules, CA, user agent, body cap, timeouts), politeness (per host, per IP,
// delay, retries, backoff, per-site overrides including the robots.txt
// switch), the schedules (crawl groups, rechecks, the daily report) and
// logging.
//
// Every setting has a default, so an empty file is a valid config, and a
// few environment variables override the file (see Env): the data
// directory, the listen address, the log level and the secret-ish metrics
// token, so that a container or a unit file can set them without editing
// the file.
//
// A config file is checked whole before anything runs: Check reports every
// problem at once, each with the line and column of the offending key or
// value, which is why the file is decoded through yaml.Node rather than
// straight into the struct (yaml.v3's own errors give lines only, and stop
// at unknown keys). Load is Check plus the decoded result.
//
// Example is a fully commented config with every key and its default;
// `pravda config example` prints it.
package config
