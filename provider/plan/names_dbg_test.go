package plan

import (
	"math/rand"
	"sort"
	"testing"
)

func TestNamesDebugCoverage(t *testing.T) {
	for _, cloud := range []string{"aws", "azure"} {
		r := rand.New(rand.NewSource(1))
		file := writeSweepApp(t, sweepCompose(cloud, distinctLabels(r, 6)))
		res := sweepPlan(t, cloud, "balanced", "shop", file, "", map[string]string{"POSTGRES_PASSWORD": "Names-Sweep-Passw0rd"})
		missing := map[string]bool{}
		for _, x := range res {
			if _, ok := limitFor(x.Type); !ok && x.Custom {
				missing[x.Type] = true
			} else if l, ok := limitFor(x.Type); ok {
				n, _ := physicalName(x, l, "default")
				t.Logf("%s %s = %q", x.Type, x.Name, n)
			}
		}
		var m []string
		for k := range missing {
			m = append(m, k)
		}
		sort.Strings(m)
		t.Logf("%s not covered: %v", cloud, m)
	}
}
