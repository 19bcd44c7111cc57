package plan

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/DefangLabs/pulumi-defang/provider/cloudrules"
	"github.com/DefangLabs/pulumi-defang/provider/compose"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
)

// notYetOnAWS is the explicit list of corpus cases that fail the AWS plan
// only because they use a feature of the AWS-complete issue, with the
// "service: field" of every such feature. Every other case must plan in all
// three modes. Remove entries as the features land.
var notYetOnAWS = map[string][]string{}

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

// secretValue is the config value a test passes for NAME: distinctive, so a
// leak anywhere in the plan is found by a plain substring search.
func secretValue(name string) string { return "plaintext-" + strings.ToLower(name) + "-7f3a9c" }

// configFor returns a config value for every config name the case reads.
func configFor(t *testing.T, file string) map[string]string {
	t.Helper()
	p, _, err := compose.Load(context.Background(), compose.LoadOptions{ComposeFiles: []string{file}, WorkingDir: filepath.Dir(file)})
	if err != nil {
		t.Fatalf("load %s: %v", file, err)
	}
	cfg := map[string]string{}
	for _, n := range p.ConfigNames {
		cfg[n] = secretValue(n)
	}
	return cfg
}

func TestCorpusPlansOnAWS(t *testing.T) {
	root := corpusRoot(t)
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		name := e.Name()
		seen[name] = true
		file := filepath.Join(root, name, "compose.yaml")
		t.Run(name, func(t *testing.T) {
			cfg := configFor(t, file)
			for _, m := range mode.All {
				res, err := Run(context.Background(), Options{ComposeFiles: []string{file}, Cloud: "aws", Mode: string(m), Config: cfg})
				want, unsupported := notYetOnAWS[name]
				if unsupported {
					if err == nil {
						t.Fatalf("%s: planned, but the test lists it as not supported yet: remove it from notYetOnAWS", m)
					}
					for _, w := range want {
						if !strings.Contains(err.Error(), w) || !strings.Contains(err.Error(), "not supported on AWS yet") {
							t.Errorf("%s: error should say %s is not supported on AWS yet; got:\n%v", m, w, err)
						}
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", m, err)
				}
				assertPlanInvariants(t, res, cfg)
			}
		})
	}
	for name := range notYetOnAWS {
		if !seen[name] {
			t.Errorf("notYetOnAWS names %q, which is not in the corpus", name)
		}
	}
}

// assertPlanInvariants checks what a reviewer of any plan would check.
func assertPlanInvariants(t *testing.T, res *Result, cfg map[string]string) {
	t.Helper()
	out, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for name, v := range cfg {
		if strings.Contains(text, v) {
			t.Errorf("the plaintext of config value %s appears in the plan", name)
		}
	}
	byURN := map[string]Resource{}
	var projects []string
	for _, r := range res.Resources {
		byURN[r.URN] = r
		if r.Type == "defang:index:Project" {
			projects = append(projects, r.URN)
		}
	}
	if len(projects) != 1 {
		t.Fatalf("want exactly one Project, got %v", projects)
	}
	for _, r := range res.Resources {
		// A resource type is born checked: the cloud's rules for its names
		// and values, and which of its inputs replace it, are in
		// provider/cloudrules before any component creates it.
		if r.Custom && (strings.HasPrefix(r.Type, "aws:") || strings.HasPrefix(r.Type, "azure-native:")) {
			if !cloudrules.Reviewed(r.Type) {
				t.Errorf("%s: %s has no naming or value rules in provider/cloudrules", r.URN, r.Type)
			}
			if !cloudrules.HasReplaceRules(r.Type) {
				t.Errorf("%s: %s has no replacement rules in provider/cloudrules/replace.go", r.URN, r.Type)
			}
		}
		// Every resource descends from the Project.
		cur, hops := r, 0
		for cur.Type != "defang:index:Project" {
			parent, ok := byURN[cur.Parent]
			if !ok || hops > 10 {
				t.Errorf("%s does not descend from the Project (parent %q)", r.URN, cur.Parent)
				break
			}
			cur, hops = parent, hops+1
		}
		// Only load balancer listener rules are open to the world.
		if r.Type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule" {
			if cidr, _ := r.Inputs["cidrIpv4"].(string); cidr != "" {
				if !strings.Contains(r.Parent, "defang:aws:LoadBalancer") {
					t.Errorf("%s opens %s outside the load balancer", r.URN, cidr)
				}
			}
		}
		if r.Type == "aws:ec2/securityGroup:SecurityGroup" {
			if ingress, ok := r.Inputs["ingress"].([]any); ok && len(ingress) > 0 {
				t.Errorf("%s has inline ingress rules; rules must be separate and scoped", r.URN)
			}
		}
		// No IAM wildcard resource except for actions that have no
		// resource-level form (AWS Service Authorization Reference): they are
		// listed in unscopedActions.
		if policy, ok := r.Inputs["policy"].(string); ok && strings.Contains(r.Type, "iam/") {
			var doc struct {
				Statement []struct {
					Action   []string
					Resource []string
				}
			}
			if err := json.Unmarshal([]byte(policy), &doc); err != nil {
				t.Fatalf("%s: policy is not JSON: %v", r.URN, err)
			}
			for _, st := range doc.Statement {
				for _, a := range st.Action {
					if strings.Contains(a, "*") {
						t.Errorf("%s: wildcard action %s", r.URN, a)
					}
				}
				for _, res := range st.Resource {
					if res == "*" && !allUnscoped(st.Action) {
						t.Errorf("%s: resource * for %v", r.URN, st.Action)
					}
				}
			}
		}
	}
}

// unscopedActions are the IAM actions that only accept Resource "*".
var unscopedActions = map[string]bool{
	"ecr:GetAuthorizationToken":     true, // registry login
	"bedrock:ListFoundationModels":  true, // gateways list the models they may call
	"bedrock:ListInferenceProfiles": true,
}

func allUnscoped(actions []string) bool {
	for _, a := range actions {
		if !unscopedActions[a] {
			return false
		}
	}
	return len(actions) > 0
}

func TestPlanIsByteIdenticalAcrossRuns(t *testing.T) {
	root := corpusRoot(t)
	for _, name := range []string{"django-redis-postgres", "ollama", "nodejs-react-postgres"} {
		file := filepath.Join(root, name, "compose.yaml")
		cfg := configFor(t, file)
		var first string
		for i := 0; i < 3; i++ {
			res, err := Run(context.Background(), Options{ComposeFiles: []string{file}, Cloud: "aws", Mode: "high_availability", Config: cfg})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := json.MarshalIndent(res, "", "  ")
			if i == 0 {
				first = string(b)
			} else if string(b) != first {
				t.Fatalf("%s: run %d differs from run 0", name, i)
			}
		}
	}
}

// counts returns how many resources of each type the plan has.
func counts(res *Result) map[string]int {
	c := map[string]int{}
	for _, r := range res.Resources {
		c[r.Type]++
	}
	return c
}

func keys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
