// Package schedule runs the daemon's periodic jobs: crawl passes per site
// group, rechecks and the daily report.
//
// Times come from robfig/cron schedules (cron.Schedule: a crontab line, an
// "every" interval, a daily time of day in a zone), but the loop is this
// package's own, driven by a Clock, so tests move time by hand instead of
// waiting for it. cron's own runner has no clock to inject.
//
// Two rules hold for every job:
//
//   - No two runs touching one site overlap. A job names the sites it
//     works on; a trigger that finds one of them busy is refused and
//     logged, not queued, so a slow pass cannot pile up a backlog of
//     passes behind it. A job is also never run twice at once.
//   - A run missed while the daemon was down runs on start. The start time
//     of each job's last successful run is kept in a Store (the catalog's
//     state table); on start a job whose next time after that has already
//     passed, or that has never succeeded (unless it is marked WaitFirst),
//     runs at once.
//
// Typical use:
//
//	s := &schedule.Scheduler{Store: cat, Log: log}
//	s.Add(schedule.Job{Name: "crawl:asia", When: schedule.Every(15 * time.Minute),
//		Sites: []string{"japan", "korea"}, Run: pass})
//	err := s.Run(ctx) // until ctx ends; then waits for the runs in flight
package schedule
