package estimate

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/DefangLabs/pulumi-defang/provider/compose"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
	"github.com/DefangLabs/pulumi-defang/provider/plan"
)

func corpusRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", "..", "shared", "corpus", "defang-samples"))
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		t.Fatalf("the compose corpus is missing: expected %s (../shared/corpus beside the repository)", root)
	}
	return root
}

// notYet says whether a plan failed only because the case uses a feature
// AWS does not deploy yet (see notYetOnAWS in package plan's corpus test):
// such cases are estimated as soon as they plan, with no list to update.
func notYet(err error) bool { return strings.Contains(err.Error(), "not supported on AWS yet") }

// Every corpus case that plans is estimated in all three modes:
// affordable is the cheapest and high_availability the most expensive,
// strictly (each mode adds what costs: on-demand Fargate and a NAT gateway
// in balanced, a third zone's NAT gateway and load balancer node in
// high_availability), every line item is positive and the total is their
// sum.
func TestCorpusEstimatesOrderByMode(t *testing.T) {
	root := corpusRoot(t)
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	estimated, skipped := 0, []string{}
	t.Run("cases", func(t *testing.T) {
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			name := e.Name()
			file := filepath.Join(root, name, "compose.yaml")
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				p, _, err := compose.Load(context.Background(), compose.LoadOptions{ComposeFiles: []string{file}, WorkingDir: filepath.Dir(file)})
				if err != nil {
					t.Fatalf("load: %v", err)
				}
				cfg := map[string]string{}
				for _, n := range p.ConfigNames {
					cfg[n] = "corpus-value-" + strings.ToLower(n)
				}
				totals := map[mode.Mode]float64{}
				for _, m := range mode.All {
					res, err := plan.Run(context.Background(), plan.Options{ComposeFiles: []string{file}, Cloud: "aws", Mode: string(m), Config: cfg})
					if err != nil && notYet(err) {
						mu.Lock()
						skipped = append(skipped, name)
						mu.Unlock()
						t.Skipf("not deployable on AWS yet: %v", err)
					}
					if err != nil {
						t.Fatalf("%s: plan: %v", m, err)
					}
					for _, region := range Regions("aws") {
						est, err := ForPlan(res, region)
						if err != nil {
							t.Fatalf("%s %s: %v", m, region, err)
						}
						checkSum(t, est)
						if len(est.LineItems) == 0 || est.MonthlyUsd <= 0 {
							t.Errorf("%s %s: empty estimate", m, region)
						}
						for _, a := range est.Assumptions {
							// A new resource type must be priced or
							// listed as free (estimate.go) on purpose.
							if strings.HasPrefix(a, "Planned but not priced") {
								t.Errorf("%s: %s", m, a)
							}
						}
						if est.Mode != string(m) || est.Region != region || est.Currency != "USD" || len(est.Assumptions) == 0 {
							t.Errorf("%s %s: header %+v", m, region, est)
						}
						if region == plan.DefaultRegion {
							totals[m] = est.MonthlyUsd
						}
					}
				}
				if !(totals[mode.Affordable] < totals[mode.Balanced] && totals[mode.Balanced] < totals[mode.HighAvailability]) {
					t.Errorf("want affordable < balanced < high_availability, got %.2f, %.2f, %.2f",
						totals[mode.Affordable], totals[mode.Balanced], totals[mode.HighAvailability])
				}
				mu.Lock()
				estimated++
				mu.Unlock()
			})
		}
	})
	t.Logf("estimated %d corpus cases in 3 modes and %d regions; not deployable on AWS yet: %v", estimated, len(Regions("aws")), skipped)
	if estimated < 40 {
		t.Errorf("only %d corpus cases were estimated", estimated)
	}
}
