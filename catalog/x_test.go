package catalog
import ("testing";"context";"fmt";"time";"path/filepath";"os";"database/sql")
func BenchmarkXVariant(b *testing.B){
 ctx:=context.Background()
 p:=filepath.Join(b.TempDir(),"x.db")
 c,_:=Open(ctx, p); defer c.Close()
 for _, s := range []string{os.Getenv("XSQL")} { if s!="" { if _,err:=c.w.Exec(s); err!=nil {b.Fatal(err)} } }
 stop := make(chan struct{})
 done := make(chan struct{})
 if os.Getenv("XBG") != "" {
  ck, _ := sql.Open("sqlite", dsn(p, "_pragma=busy_timeout(10000)"))
  ck.SetMaxOpenConns(1)
  go func(){ defer close(done); t:=time.NewTicker(100*time.Millisecond); for { select { case <-stop: ck.Close(); return; case <-t.C: var a,b1,c1 int; err:=ck.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&a,&b1,&c1); if os.Getenv("XV")!="" {fmt.Println(a,b1,c1,err)} } } }()
 } else { close(done) }
 start, cpu0 := time.Now(), cpuTime()
 for i:=0; b.Loop(); i++ {
  a := sample(int64(i + 1))
  if _, err := c.PutArticle(ctx, a, capture(benchBody+fmt.Sprint(i), t0.Add(time.Duration(i)*time.Second))); err != nil { b.Fatal(err) }
 }
 report(b, b.N, start, cpu0)
 close(stop); <-done
 fi, _ := os.Stat(p+"-wal"); if fi != nil { b.Logf("wal %d MB", fi.Size()>>20) }
}
