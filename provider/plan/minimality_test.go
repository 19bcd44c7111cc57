package plan

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Update minimality: a change to one service must change only that
// service's resources. Each edit of the catalogue below is applied to the
// reference app (testdata/minimality), planned before and after with the
// same code as `pulumi up` (Run), and the resources are compared by URN
// and inputs. The test asserts the exact set of resources that are
// created (+), deleted (-) or updated (~); a shared resource, or another
// service's, that changes for an unrelated edit fails it.
//
// Two refinements make the comparison say what `pulumi up` would do:
//
//   - Secrets. The plan masks every secret as "[secret]", so a changed
//     config value would be invisible. These plans are run with
//     Options.revealSecrets, an unexported, test-only switch (no command
//     can set it) that renders a secret as "[secret] <value>". Comparing
//     the values shows exactly which resource a secret reaches: its SSM
//     parameter, and the parameters of environment values that embed it;
//     task definitions hold the parameters' ARNs, which do not change.
//   - Task definition revisions. The mock answers with stable fake ARNs,
//     but in AWS every change of a task definition is a new revision with
//     a new ARN, so the ECS service that runs it is updated too. The
//     comparison adds that service (it lists the task definition among its
//     dependencies), marked "(new revision)".
//
// Catalogue (service names refer to testdata/minimality/compose.yaml):
//
//	edit                               expected changes
//	api's image                        ~ api task definition, ~ api ECS service (new revision)
//	web's environment value            ~ web task definition, ~ web ECS service (new revision)
//	config secret SESSION_SECRET       ~ its SSM parameter only
//	config secret DB_PASSWORD          ~ its SSM parameter, ~ api's DATABASE_URL parameter
//	                                   (which embeds it), ~ db's password parameter and RDS instance
//	api's replicas 2 -> 3              ~ api ECS service
//	web's healthcheck (path, interval) ~ web task definition, ~ web ECS service (new revision),
//	                                   ~ web's target group (its health check)
//	web's source file                  ~ web's ImageBuild (context digest), ~ web task definition,
//	                                   ~ web ECS service (new revision)
//	adding a private service (admin)   + admin's FargateService and its children, its Cloud Map
//	                                   service and the rule admitting the compose network on its port
//	removing the worker                - worker's FargateService and its children, - the SSM
//	                                   parameter of API_TOKEN, which only the worker read
//	mode affordable -> balanced        modeAffordableToBalanced (below)
//	mode balanced -> high_availability modeBalancedToHighAvailability (below)
//
// "nothing" (no edit) must change nothing: the plan is deterministic.

// modeAffordableToBalanced is what DESIGN.md section 5 changes between
// affordable and balanced, resource by resource:
var modeAffordableToBalanced = []string{
	// egress: one NAT gateway (and its Elastic IP); the private route
	// tables route to it.
	"+ aws:ec2/eip:Eip::shop-nat-0",
	"+ aws:ec2/natGateway:NatGateway::shop-nat-0",
	"~ aws:ec2/routeTable:RouteTable::shop-private-0",
	"~ aws:ec2/routeTable:RouteTable::shop-private-1",
	// logs kept 1 day -> 7 days (the build logs and every service's).
	"~ aws:cloudwatch/logGroup:LogGroup::shop",
	"~ aws:cloudwatch/logGroup:LogGroup::shop-api",
	"~ aws:cloudwatch/logGroup:LogGroup::shop-web",
	"~ aws:cloudwatch/logGroup:LogGroup::shop-worker",
	// compute: Fargate Spot -> Fargate, public -> private subnets without
	// public IPs, replace -> rolling updates.
	"~ aws:ecs/service:Service::shop-api",
	"~ aws:ecs/service:Service::shop-web",
	"~ aws:ecs/service:Service::shop-worker",
	// stores: their per-mode size and backups.
	"~ aws:elasticache/replicationGroup:ReplicationGroup::shop-cache",
	"~ aws:rds/instance:Instance::shop-db",
}

// modeBalancedToHighAvailability: a third zone, a NAT gateway per zone,
// and the high_availability settings.
var modeBalancedToHighAvailability = []string{
	// zones 2 -> 3: the third zone's subnets and route tables.
	"+ aws:ec2/subnet:Subnet::shop-private-2",
	"+ aws:ec2/subnet:Subnet::shop-public-2",
	"+ aws:ec2/routeTable:RouteTable::shop-private-2",
	"+ aws:ec2/routeTableAssociation:RouteTableAssociation::shop-private-2",
	"+ aws:ec2/routeTableAssociation:RouteTableAssociation::shop-public-2",
	// a NAT gateway per zone: zone 1's private route moves to its own.
	"+ aws:ec2/eip:Eip::shop-nat-1",
	"+ aws:ec2/eip:Eip::shop-nat-2",
	"+ aws:ec2/natGateway:NatGateway::shop-nat-1",
	"+ aws:ec2/natGateway:NatGateway::shop-nat-2",
	"~ aws:ec2/routeTable:RouteTable::shop-private-1",
	// what spans the zones takes the third subnet.
	"~ aws:lb/loadBalancer:LoadBalancer::shop-alb",
	"~ aws:elasticache/subnetGroup:SubnetGroup::shop-cache",
	"~ aws:rds/subnetGroup:SubnetGroup::shop-db",
	// logs kept 7 -> 30 days.
	"~ aws:cloudwatch/logGroup:LogGroup::shop",
	"~ aws:cloudwatch/logGroup:LogGroup::shop-api",
	"~ aws:cloudwatch/logGroup:LogGroup::shop-web",
	"~ aws:cloudwatch/logGroup:LogGroup::shop-worker",
	// builds on 4 vCPU (CodeBuild medium).
	"~ aws:codebuild/project:Project::shop",
	// the cluster's high_availability settings.
	"~ aws:ecs/cluster:Cluster::shop",
	// services over three zones with the circuit breaker and rollback.
	"~ aws:ecs/service:Service::shop-api",
	"~ aws:ecs/service:Service::shop-web",
	"~ aws:ecs/service:Service::shop-worker",
	// stores: multi-AZ, memory-optimised, protected, with a final snapshot
	// whose name ends in a RandomId of its own.
	"~ aws:elasticache/replicationGroup:ReplicationGroup::shop-cache",
	"~ aws:rds/instance:Instance::shop-db",
	"+ random:index/randomId:RandomId::shop-cache-final-snapshot",
	"+ random:index/randomId:RandomId::shop-db-final-snapshot",
}

// minimalityConfig are the reference app's config values.
var minimalityConfig = map[string]string{
	"SESSION_SECRET": "session-secret-value-1",
	"DB_PASSWORD":    "db-password-value-1",
	"API_TOKEN":      "api-token-value-1",
}

type minimalityEdit struct {
	name string
	// apply edits the app in dir (a copy of testdata/minimality) and opts.
	apply func(t *testing.T, dir string, opts *Options)
	want  []string
}

// replaceIn replaces old by new, exactly once, in the file dir/name.
func replaceIn(t *testing.T, dir, name, old, new string) {
	t.Helper()
	path := filepath.Join(dir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), old); n != 1 {
		t.Fatalf("%s: %q occurs %d times, want once", name, old, n)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func composeEdit(old, new string) func(*testing.T, string, *Options) {
	return func(t *testing.T, dir string, _ *Options) { replaceIn(t, dir, "compose.yaml", old, new) }
}

func configEdit(name, value string) func(*testing.T, string, *Options) {
	return func(t *testing.T, _ string, opts *Options) {
		cfg := map[string]string{}
		for k, v := range opts.Config {
			cfg[k] = v
		}
		cfg[name] = value
		opts.Config = cfg
	}
}

// fargateService lists what a FargateService of a private (or worker)
// service is made of, for the add and remove edits.
func fargateService(sign, service string) []string {
	n := "shop-" + service
	return []string{
		sign + " defang:aws:FargateService::" + n,
		sign + " aws:cloudwatch/logGroup:LogGroup::" + n,
		sign + " aws:ec2/securityGroup:SecurityGroup::" + n,
		sign + " aws:ecs/service:Service::" + n,
		sign + " aws:ecs/taskDefinition:TaskDefinition::" + n,
		sign + " aws:iam/role:Role::" + n + "-exec",
		sign + " aws:iam/role:Role::" + n + "-task",
		sign + " aws:iam/rolePolicy:RolePolicy::" + n + "-exec",
	}
}

var minimalityEdits = []minimalityEdit{
	{
		name:  "nothing",
		apply: func(*testing.T, string, *Options) {},
		want:  nil,
	},
	{
		name:  "api image",
		apply: composeEdit("image: hashicorp/http-echo:1.0", "image: hashicorp/http-echo:1.0.1"),
		want: []string{
			"~ aws:ecs/taskDefinition:TaskDefinition::shop-api",
			"~ aws:ecs/service:Service::shop-api (new revision)",
		},
	},
	{
		name:  "web environment value",
		apply: composeEdit("GREETING: hello", "GREETING: bonjour"),
		want: []string{
			"~ aws:ecs/taskDefinition:TaskDefinition::shop-web",
			"~ aws:ecs/service:Service::shop-web (new revision)",
		},
	},
	{
		name:  "config secret SESSION_SECRET",
		apply: configEdit("SESSION_SECRET", "session-secret-value-2"),
		want: []string{
			"~ aws:ssm/parameter:Parameter::shop-config-SESSION_SECRET",
		},
	},
	{
		name:  "config secret DB_PASSWORD",
		apply: configEdit("DB_PASSWORD", "db-password-value-2"),
		// The secret reaches the db's password (its own parameter and the
		// RDS master password) and api's DATABASE_URL, which embeds it.
		want: []string{
			"~ aws:ssm/parameter:Parameter::shop-config-DB_PASSWORD",
			"~ aws:ssm/parameter:Parameter::shop-env-api-DATABASE_URL",
			"~ aws:ssm/parameter:Parameter::shop-db-password",
			"~ aws:rds/instance:Instance::shop-db",
		},
	},
	{
		name:  "mode affordable to balanced",
		apply: func(_ *testing.T, _ string, opts *Options) { opts.Mode = "balanced" },
		want:  modeAffordableToBalanced,
	},
	{
		name:  "mode balanced to high_availability",
		apply: func(_ *testing.T, _ string, opts *Options) { opts.Mode = "high_availability" },
		want:  modeBalancedToHighAvailability,
	},
	{
		name:  "api replicas",
		apply: composeEdit("replicas: 2", "replicas: 3"),
		want: []string{
			"~ aws:ecs/service:Service::shop-api",
		},
	},
	{
		name: "web healthcheck",
		apply: composeEdit(`test: ["CMD", "wget", "-q", "-O-", "http://localhost:8080/health"]
      interval: 30s`, `test: ["CMD", "wget", "-q", "-O-", "http://localhost:8080/healthz"]
      interval: 20s`),
		want: []string{
			"~ aws:ecs/taskDefinition:TaskDefinition::shop-web",
			"~ aws:ecs/service:Service::shop-web (new revision)",
			"~ aws:lb/targetGroup:TargetGroup::shop-web-8080",
		},
	},
	{
		name: "web source file",
		apply: func(t *testing.T, dir string, _ *Options) {
			replaceIn(t, dir, filepath.Join("web", "server.py"), "hello from web", "hello again from web")
		},
		want: []string{
			"~ defang:aws:ImageBuild::shop-web",
			"~ aws:ecs/taskDefinition:TaskDefinition::shop-web",
			"~ aws:ecs/service:Service::shop-web (new revision)",
		},
	},
	{
		name: "add a private service",
		apply: composeEdit("  worker:\n", `  admin:
    image: nginx:1.27
    ports:
      - target: 8081
        mode: host
    deploy:
      resources:
        reservations:
          cpus: "0.25"
          memory: 512M
  worker:
`),
		want: append(fargateService("+", "admin"),
			"+ aws:servicediscovery/service:Service::shop-admin",
			"+ aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::shop-admin-net0-8081-tcp",
		),
	},
	{
		name: "remove the worker",
		apply: composeEdit(`  worker:
    image: busybox:1.36
    command: ["sh", "-c", "while true; do date; sleep 60; done"]
    environment:
      API_TOKEN:
    deploy:
      resources:
        reservations:
          cpus: "0.25"
          memory: 512M
`, ""),
		want: append(fargateService("-", "worker"),
			// API_TOKEN is no longer read: its parameter goes too.
			"- aws:ssm/parameter:Parameter::shop-config-API_TOKEN",
		),
	},
}

// TestUpdateMinimality runs the catalogue.
func TestUpdateMinimality(t *testing.T) {
	for _, e := range minimalityEdits {
		t.Run(e.name, func(t *testing.T) {
			t.Parallel()
			dir := copyReference(t)
			mode := "affordable"
			if strings.HasPrefix(e.name, "mode balanced") {
				mode = "balanced"
			}
			opts := Options{ComposeFiles: []string{filepath.Join(dir, "compose.yaml")}, Cloud: "aws", Mode: mode,
				Config: minimalityConfig, revealSecrets: true}
			before := planOrFail(t, opts)
			e.apply(t, dir, &opts)
			after := planOrFail(t, opts)
			assertChanges(t, before, after, e.want)
		})
	}
}

func copyReference(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("testdata", "minimality")
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func planOrFail(t *testing.T, opts Options) *Result {
	t.Helper()
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// shortName is a resource's "type::name", the part of its URN that names
// it within the Project.
func shortName(r Resource) string { return r.Type + "::" + r.Name }

// changes compares two plans: created (+), deleted (-) and updated (~)
// resources by "type::name", and the ECS services whose task definition
// changed (a new revision in AWS).
func changes(t *testing.T, before, after *Result) []string {
	t.Helper()
	index := func(res *Result) map[string]Resource {
		m := map[string]Resource{}
		for _, r := range res.Resources {
			k := shortName(r)
			if _, dup := m[k]; dup {
				t.Fatalf("two resources are named %s", k)
			}
			m[k] = r
		}
		return m
	}
	b, a := index(before), index(after)
	var out []string
	updated := map[string]bool{} // by URN in after
	for k, ra := range a {
		rb, ok := b[k]
		switch {
		case !ok:
			out = append(out, "+ "+k)
		case rb.URN != ra.URN:
			out = append(out, "~ "+k+" (moved)")
		default:
			jb, _ := json.Marshal(rb.Inputs)
			ja, _ := json.Marshal(ra.Inputs)
			if string(jb) != string(ja) {
				out = append(out, "~ "+k)
				updated[ra.URN] = true
			}
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, "- "+k)
		}
	}
	for k, r := range a {
		if r.Type != "aws:ecs/service:Service" || updated[r.URN] {
			continue
		}
		if _, existed := b[k]; !existed {
			continue
		}
		for _, d := range r.DependsOn {
			if updated[d] && strings.Contains(d, "aws:ecs/taskDefinition:TaskDefinition::") {
				out = append(out, "~ "+k+" (new revision)")
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

func assertChanges(t *testing.T, before, after *Result, want []string) {
	t.Helper()
	got := changes(t, before, after)
	w := append([]string{}, want...)
	sort.Strings(w)
	if strings.Join(got, "\n") != strings.Join(w, "\n") {
		t.Errorf("changed resources differ from the expected set\n got:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(w, "\n  "))
	}
}

// Without the test-only reveal switch a secret edit is invisible (every
// secret is "[secret]"), which is why the catalogue plans with it; with it
// the plaintext shows, which is why no command can set it.
func TestSecretEditsNeedTheRevealSwitch(t *testing.T) {
	dir := copyReference(t)
	opts := Options{ComposeFiles: []string{filepath.Join(dir, "compose.yaml")}, Cloud: "aws", Config: minimalityConfig}
	before := planOrFail(t, opts)
	configEdit("SESSION_SECRET", "session-secret-value-2")(t, dir, &opts)
	if got := changes(t, before, planOrFail(t, opts)); len(got) != 0 {
		t.Errorf("masked secrets should hide the edit, got %v", got)
	}
	opts.revealSecrets = true
	b, _ := json.Marshal(planOrFail(t, opts))
	if !strings.Contains(string(b), `[secret] \"session-secret-value-2\"`) {
		t.Error("revealSecrets should render the secret's value")
	}
}
