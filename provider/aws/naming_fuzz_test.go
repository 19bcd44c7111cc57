package aws

import (
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/DefangLabs/pulumi-defang/provider/cloudrules"
	"github.com/DefangLabs/pulumi-defang/provider/internal/namefuzz"
)

// The fuzz targets below feed the naming functions every project, stack and
// service name a user can give (namefuzz maps the fuzzer's bytes onto the
// characters compose and Pulumi allow) and assert what the clouds need of
// the result: no panic, within the limit, in the charset, and the same
// result for the same input. Seeded from the compose corpus; with only the
// seeds they run as ordinary tests, `make fuzz` explores (mk/fuzz.mk).

// refusal is what AWS would say of a name (provider/cloudrules: botocore's
// models, terraform-provider-aws, AWS's docs), "" when it accepts it.
func refusal(token, prop, name string) string {
	in := property.NewMap(map[string]property.Value{prop: property.New(name)})
	if vs := cloudrules.Check(token, "fuzz", in); len(vs) > 0 {
		return vs.Error()
	}
	return ""
}

var (
	// physicalName's own contract, the strictest of its callers' rules
	// (ELBv2 names: letters, digits and hyphens, not starting or ending
	// with a hyphen; RDS identifiers: no two consecutive hyphens).
	physicalPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

func FuzzPhysicalName(f *testing.F) {
	namefuzz.AddSeeds(f)
	f.Fuzz(func(t *testing.T, project, stack, service []byte) {
		p, st, s := namefuzz.Names(project, stack, service)
		// The limits physicalName is called with, and the shapes of parts
		// its callers pass (load balancers, target groups, roles, store
		// identifiers, snapshots, task families).
		for _, max := range []int{specLoadBalancer.rule.Max, specDBInstance.rule.Max, specRole.rule.Max, maxSnapshotIdentifier, 255} {
			for _, parts := range [][]string{{p, "alb"}, {p, s, "8080"}, {p, st, s, "exec"}, {p, st, s}, {"db", p, st, s, "final"}} {
				n := physicalName(max, parts...)
				if len(n) > max || !physicalPattern.MatchString(n) {
					t.Fatalf("physicalName(%d, %q) = %q (%d characters): want 1 to %d of [a-z0-9] joined by single '-'",
						max, parts, n, len(n), max)
				}
				if again := physicalName(max, parts...); again != n {
					t.Fatalf("physicalName(%d, %q) is not deterministic: %q then %q", max, parts, n, again)
				}
			}
		}
	})
}

func FuzzLogGroupName(f *testing.F) {
	namefuzz.AddSeeds(f)
	f.Fuzz(func(t *testing.T, project, stack, service []byte) {
		p, st, s := namefuzz.Names(project, stack, service)
		for _, parts := range [][]string{{p, st, s}, {p, st, "builds"}} {
			n := logGroupName(parts...)
			if bad := refusal("aws:cloudwatch/logGroup:LogGroup", "name", n); bad != "" || !strings.HasPrefix(n, "/defang/") {
				t.Fatalf("logGroupName(%q) = %q: want /defang/... that CloudWatch Logs accepts: %s", parts, n, bad)
			}
			if again := logGroupName(parts...); again != n {
				t.Fatalf("logGroupName(%q) is not deterministic: %q then %q", parts, n, again)
			}
		}
	})
}

func FuzzRepositoryName(f *testing.F) {
	namefuzz.AddSeeds(f)
	f.Fuzz(func(t *testing.T, project, stack, service []byte) {
		p, st, s := namefuzz.Names(project, stack, service)
		n := repositoryName(p, st, s)
		if bad := refusal("aws:ecr/repository:Repository", "name", n); bad != "" {
			t.Fatalf("repositoryName(%q, %q, %q) = %q, which ECR refuses: %s", p, st, s, n, bad)
		}
		if again := repositoryName(p, st, s); again != n {
			t.Fatalf("repositoryName(%q, %q, %q) is not deterministic: %q then %q", p, st, s, n, again)
		}
	})
}
