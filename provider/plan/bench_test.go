package plan

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/DefangLabs/pulumi-defang/provider/internal/benchapp"
)

// benchStores says whether the generated apps include managed Postgres
// and Redis stores: on unless DEFANG_BENCH_STORES=0 (for comparing with
// plans of services only, or for a cloud whose stores are not deployable
// yet, as AWS's were until the AWS-complete work landed).
func benchStores() bool { return os.Getenv("DEFANG_BENCH_STORES") != "0" }

// BenchmarkPlan plans generated compose apps of 1, 10, 100 and 500
// services (benchapp: built and image-only, ingress, private and worker
// services, config secrets, managed stores) on AWS in each mode, with the
// same code as defang-plan: time and allocations per plan. `make bench`
// runs it.
func BenchmarkPlan(b *testing.B) {
	for _, n := range []int{1, 10, 100, 500} {
		dir := b.TempDir()
		file, cfg, err := benchapp.Write(dir, benchapp.Options{Services: n, Stores: benchStores()})
		if err != nil {
			b.Fatal(err)
		}
		for _, mode := range []string{"affordable", "high_availability"} {
			b.Run(fmt.Sprintf("services=%d/mode=%s", n, mode), func(b *testing.B) {
				b.ReportAllocs()
				var resources int
				for i := 0; i < b.N; i++ {
					res, err := Run(context.Background(), Options{ComposeFiles: []string{file}, Cloud: "aws", Mode: mode, Config: cfg})
					if err != nil {
						b.Fatal(err)
					}
					resources = len(res.Resources)
				}
				b.ReportMetric(float64(resources), "resources")
			})
		}
	}
}

// The generated apps plan (a guard for the benchmark, which `make test`
// does not run): every size, with and without stores.
func TestBenchAppsPlan(t *testing.T) {
	for _, stores := range []bool{false, true} {
		for _, n := range []int{1, 10, 30} {
			dir := t.TempDir()
			file, cfg, err := benchapp.Write(dir, benchapp.Options{Services: n, Stores: stores})
			if err != nil {
				t.Fatal(err)
			}
			res, err := Run(context.Background(), Options{ComposeFiles: []string{file}, Cloud: "aws", Mode: "balanced", Config: cfg})
			if err != nil {
				t.Fatalf("%d services (stores %v): %v", n, stores, err)
			}
			c := counts(res)
			if c["aws:ecs/service:Service"] == 0 || (n >= 10 && c["defang:aws:ImageBuild"] == 0) {
				t.Errorf("%d services: %v", n, c)
			}
			if stores && n >= 10 && (c["aws:rds/instance:Instance"] < 1 || c["aws:elasticache/replicationGroup:ReplicationGroup"] < 1) {
				t.Errorf("%d services with stores: %v", n, c)
			}
		}
	}
}
