package azure

import (
	"regexp"
	"testing"

	"github.com/DefangLabs/pulumi-defang/provider/internal/namefuzz"
)

// The fuzz targets below feed the naming functions every project, stack and
// service name a user can give (namefuzz maps the fuzzer's bytes onto the
// characters compose and Pulumi allow) and assert what Azure needs of the
// result: no panic, within the limit, in the charset, and the same result
// for the same input. Seeded from the compose corpus; with only the seeds
// they run as ordinary tests, `make fuzz` explores (mk/fuzz.mk).
//
// Charsets from Microsoft's "Naming rules and restrictions for Azure
// resources" (https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/resource-name-rules)
// and ../shared/reference/cloud-name-limits.md:
var (
	// dashedName's contract, the strictest of its callers' rules (Container
	// Apps: lowercase letters, digits and hyphens, starting with a letter,
	// ending with a letter or digit, no "--"; Key Vault: the same, 3-24).
	dashedPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)
	// compactName's (storage accounts: lowercase letters and digits only;
	// registries: alphanumerics only).
	compactPattern = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
)

func FuzzDashedName(f *testing.F) {
	namefuzz.AddSeeds(f)
	f.Fuzz(func(t *testing.T, project, stack, service []byte) {
		p, st, s := namefuzz.Names(project, stack, service)
		// The limits dashedName is called with and the shapes of its parts.
		for _, max := range []int{maxContainerAppName, maxKeyVaultName - 9, maxRedisName, maxPostgresServer, maxVnetName, maxResourceGroupName} {
			for _, parts := range [][]string{{s}, {p, st}, {p, st, s}, {p, st, "vnet"}, {"defang", p, st, "eastus"}} {
				n := dashedName(max, parts...)
				if len(n) > max || !dashedPattern.MatchString(n) {
					t.Fatalf("dashedName(%d, %q) = %q (%d characters): want 1 to %d characters matching %s",
						max, parts, n, len(n), max, dashedPattern)
				}
				if again := dashedName(max, parts...); again != n {
					t.Fatalf("dashedName(%d, %q) is not deterministic: %q then %q", max, parts, n, again)
				}
			}
		}
		// A Container App (and its container) is named after the service
		// alone: 2 to 32 characters.
		if n := dashedName(maxContainerAppName, s); len(n) < 2 {
			t.Fatalf("dashedName(%d, %q) = %q: a Container App name has 2 to %d characters", maxContainerAppName, s, n, maxContainerAppName)
		}
		if n := ResourceGroupName(p, st, "eastus"); len(n) > maxResourceGroupName || !dashedPattern.MatchString(n) {
			t.Fatalf("ResourceGroupName(%q, %q, eastus) = %q", p, st, n)
		}
		if n := KeyVaultName(p, st); len(n) < 3 || len(n) > maxKeyVaultName || !dashedPattern.MatchString(n) {
			t.Fatalf("KeyVaultName(%q, %q) = %q (%d characters): want 3 to %d matching %s", p, st, n, len(n), maxKeyVaultName, dashedPattern)
		}
	})
}

func FuzzCompactName(f *testing.F) {
	namefuzz.AddSeeds(f)
	f.Fuzz(func(t *testing.T, project, stack, service []byte) {
		p, st, _ := namefuzz.Names(project, stack, service)
		// As build_pipeline.go names the registry and the context storage
		// account: min 5 and 3 characters (Microsoft's naming rules).
		for _, c := range []struct {
			min, max int
			prefix   string
		}{{5, maxRegistryName, "defang"}, {3, maxStorageAccount, "dfctx"}} {
			parts := []string{c.prefix, p, st, hashSuffix(st, 6)}
			n := compactName(c.max, parts...)
			if len(n) < c.min || len(n) > c.max || !compactPattern.MatchString(n) {
				t.Fatalf("compactName(%d, %q) = %q (%d characters): want %d to %d characters matching %s",
					c.max, parts, n, len(n), c.min, c.max, compactPattern)
			}
			if again := compactName(c.max, parts...); again != n {
				t.Fatalf("compactName(%d, %q) is not deterministic: %q then %q", c.max, parts, n, again)
			}
		}
	})
}
