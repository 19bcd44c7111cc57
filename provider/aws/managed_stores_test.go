package aws_test

// Component tests of the managed stores (ManagedPostgres, ManagedRedis,
// ManagedMongo), each constructed on its own under the plan's mock monitor,
// per mode.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/DefangLabs/pulumi-defang/provider"
	"github.com/DefangLabs/pulumi-defang/provider/fakecloud"
	"github.com/DefangLabs/pulumi-defang/provider/plan"
)

// managedStore describes one managed store component for the table tests.
type managedStore struct {
	token       string
	store       string // the type of the store resource itself
	subnetGroup string
	encrypted   string // the input that turns encryption at rest on
	port        float64
	// passwordInput is the store input that carries the master password;
	// empty for Redis, which has none.
	passwordInput string
	// endpoint is part of the host name the store hands out.
	endpoint string
	// classInput is the store input that holds the node size, and class
	// the expected size per mode.
	classInput string
	class      map[string]string
}

var managedStores = []managedStore{
	{"defang:aws:ManagedPostgres", "aws:rds/instance:Instance", "aws:rds/subnetGroup:SubnetGroup", "storageEncrypted", 5432, "password", ".rds.amazonaws.com",
		"instanceClass", map[string]string{"affordable": "db.t4g.micro", "balanced": "db.t4g.small", "high_availability": "db.r6g.large"}},
	{"defang:aws:ManagedRedis", "aws:elasticache/replicationGroup:ReplicationGroup", "aws:elasticache/subnetGroup:SubnetGroup", "atRestEncryptionEnabled", 6379, "", "master.",
		"nodeType", map[string]string{"affordable": "cache.t4g.micro", "balanced": "cache.t4g.small", "high_availability": "cache.r7g.large"}},
	{"defang:aws:ManagedMongo", "aws:docdb/cluster:Cluster", "aws:docdb/subnetGroup:SubnetGroup", "storageEncrypted", 27017, "masterPassword", ".docdb.amazonaws.com",
		"", nil},
}

var modes = []string{"affordable", "balanced", "high_availability"}

func storeInputs(mode string, extra map[string]property.Value) map[string]property.Value {
	in := map[string]property.Value{
		"projectName": str("shop"), "serviceName": str("db"), "mode": str(mode),
		"vpcId": str("vpc-1"), "subnetIds": strs("subnet-1", "subnet-2", "subnet-3"),
		"clientSecurityGroupIds": strs("sg-api", "sg-worker"),
	}
	for k, v := range extra {
		in[k] = v
	}
	return in
}

// one returns the only resource of type typ.
func one(t *testing.T, res []plan.Resource, typ string) plan.Resource {
	t.Helper()
	got := ofType(res, typ)
	if len(got) != 1 {
		t.Fatalf("want one %s, got %d", typ, len(got))
	}
	return got[0]
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestManagedStoresPerMode(t *testing.T) {
	for _, ms := range managedStores {
		for _, mode := range modes {
			t.Run(ms.token+"/"+mode, func(t *testing.T) {
				ha := mode == "high_availability"
				res, state := construct(t, ms.token, "shop-db", storeInputs(mode, nil))
				comp := one(t, res, ms.token)
				for _, r := range res {
					if r.URN != comp.URN && r.Parent != comp.URN {
						t.Errorf("%s: parent %q, want the component", r.URN, r.Parent)
					}
				}
				store := one(t, res, ms.store)
				one(t, res, ms.subnetGroup)

				// Network: one group, admitting exactly the clients on the port.
				sg := one(t, res, "aws:ec2/securityGroup:SecurityGroup")
				if sg.Inputs["ingress"] != nil || sg.Inputs["egress"] != nil {
					t.Errorf("the store's group has inline rules: %v", sg.Inputs)
				}
				sources := map[any]bool{}
				for _, rule := range ofType(res, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
					in := rule.Inputs
					if in["fromPort"] != ms.port || in["toPort"] != ms.port || in["ipProtocol"] != "tcp" || in["cidrIpv4"] != nil || in["cidrIpv6"] != nil {
						t.Errorf("%s: %v", rule.Name, in)
					}
					sources[in["referencedSecurityGroupId"]] = true
				}
				if len(sources) != 2 || !sources["sg-api"] || !sources["sg-worker"] {
					t.Errorf("ingress sources: %v, want sg-api and sg-worker", sources)
				}
				if all := toJSON(t, res); strings.Contains(all, "0.0.0.0/0") || strings.Contains(all, "::/0") {
					t.Error("a managed store must not be open to an address range")
				}

				in := store.Inputs
				if in[ms.encrypted] != true {
					t.Errorf("%s: encryption at rest off", ms.encrypted)
				}
				if ms.classInput != "" && in[ms.classInput] != ms.class[mode] {
					t.Errorf("%s: got %v, want %s", ms.classInput, in[ms.classInput], ms.class[mode])
				}
				// Protection: high_availability only.
				if ms.store != "aws:elasticache/replicationGroup:ReplicationGroup" {
					if in["deletionProtection"] != ha || in["skipFinalSnapshot"] != !ha {
						t.Errorf("deletionProtection %v, skipFinalSnapshot %v", in["deletionProtection"], in["skipFinalSnapshot"])
					}
				}
				if final, _ := in["finalSnapshotIdentifier"].(string); (final != "") != ha || (ha && !strings.HasSuffix(final, "-final")) {
					t.Errorf("final snapshot identifier %q", final)
				}
				wantBackups := map[string]float64{"affordable": 1, "balanced": 7, "high_availability": 30}[mode]
				if got := firstOf(in, "backupRetentionPeriod", "snapshotRetentionLimit"); got != wantBackups {
					t.Errorf("backups: got %v, want %v days", got, wantBackups)
				}

				if state.Get("port").AsNumber() != ms.port || !strings.HasPrefix(state.Get("securityGroupId").AsString(), "sg-") ||
					!strings.Contains(state.Get("endpoint").AsString(), ms.endpoint) || strings.Contains(state.Get("endpoint").AsString(), ":") {
					t.Errorf("outputs: %v", state)
				}
				if ms.passwordInput == "" {
					if n := len(ofType(res, "aws:ssm/parameter:Parameter")); n != 0 {
						t.Errorf("Redis has no password, but %d parameters", n)
					}
					return
				}
				if in[ms.passwordInput] != plan.SecretMarker {
					t.Errorf("%s: got %v, want a secret", ms.passwordInput, in[ms.passwordInput])
				}
				param := one(t, res, "aws:ssm/parameter:Parameter")
				if param.Inputs["type"] != "SecureString" || param.Inputs["value"] != plan.SecretMarker ||
					param.Inputs["name"] != "/defang/shop/dev/db/password" {
					t.Errorf("password parameter: %v", param.Inputs)
				}
				if state.Get("passwordParameterArn").AsString() == "" {
					t.Error("no passwordParameterArn output")
				}
			})
		}
	}
}

func firstOf(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			return v
		}
	}
	return nil
}

func TestManagedStoresZones(t *testing.T) {
	for _, mode := range modes {
		ha := mode == "high_availability"
		res, _ := construct(t, "defang:aws:ManagedPostgres", "shop-db", storeInputs(mode, nil))
		db := one(t, res, "aws:rds/instance:Instance").Inputs
		if db["multiAz"] != ha || db["publiclyAccessible"] != false || db["storageType"] != "gp3" {
			t.Errorf("%s: Postgres multiAz %v, publiclyAccessible %v, storage %v", mode, db["multiAz"], db["publiclyAccessible"], db["storageType"])
		}

		res, _ = construct(t, "defang:aws:ManagedRedis", "shop-cache", storeInputs(mode, nil))
		rg := one(t, res, "aws:elasticache/replicationGroup:ReplicationGroup").Inputs
		wantNodes := map[string]float64{"affordable": 1, "balanced": 2, "high_availability": 3}[mode]
		if rg["automaticFailoverEnabled"] != ha || rg["multiAzEnabled"] != ha || rg["numCacheClusters"] != wantNodes {
			t.Errorf("%s: Redis failover %v, multi-AZ %v, nodes %v", mode, rg["automaticFailoverEnabled"], rg["multiAzEnabled"], rg["numCacheClusters"])
		}
		if rg["transitEncryptionEnabled"] != true || rg["authToken"] != nil {
			t.Errorf("%s: Redis must use TLS, without an AUTH token: %v", mode, rg)
		}

		res, _ = construct(t, "defang:aws:ManagedMongo", "shop-docs", storeInputs(mode, nil))
		instances := ofType(res, "aws:docdb/clusterInstance:ClusterInstance")
		wantClass := map[bool]string{true: "db.r6g.large", false: "db.t4g.medium"}[ha]
		if len(instances) != map[bool]int{true: 3, false: 1}[ha] {
			t.Errorf("%s: %d DocumentDB instances", mode, len(instances))
		}
		for _, inst := range instances {
			if inst.Inputs["instanceClass"] != wantClass {
				t.Errorf("%s: instance class %v", mode, inst.Inputs["instanceClass"])
			}
		}
	}
}

func TestManagedStorePasswords(t *testing.T) {
	const given = "Plain-Text-Passw0rd"
	for _, token := range []string{"defang:aws:ManagedPostgres", "defang:aws:ManagedMongo"} {
		t.Run(token+"/given", func(t *testing.T) {
			// Given as a plain (not secret) input: it must still never show.
			res, state := construct(t, token, "shop-db", storeInputs("balanced", map[string]property.Value{"password": str(given)}))
			if n := len(ofType(res, "random:index/randomPassword:RandomPassword")); n != 0 {
				t.Errorf("a given password must not be generated (%d generated)", n)
			}
			if strings.Contains(toJSON(t, res), given) || strings.Contains(toJSON(t, state), given) {
				t.Error("the password shows in plain text")
			}
		})
		t.Run(token+"/generated", func(t *testing.T) {
			res, state := construct(t, token, "shop-db", storeInputs("balanced", nil))
			pw := one(t, res, "random:index/randomPassword:RandomPassword")
			if generated := fakecloud.RandomPassword(pw.Name); strings.Contains(toJSON(t, res), generated) || strings.Contains(toJSON(t, state), generated) {
				t.Error("the generated password shows in plain text")
			}
			if pw.Inputs["length"] != 32.0 || pw.Inputs["special"] != false || pw.Inputs["keepers"] != nil {
				t.Errorf("generated password: %v", pw.Inputs)
			}
			if toJSON(t, state) != toJSON(t, plainState(t, token)) {
				t.Error("the outputs of a store with a generated password differ between runs")
			}
		})
	}
	for _, bad := range []string{"short", "has/slash-in-it", "has space in it"} {
		err := constructErr(t, "defang:aws:ManagedPostgres", storeInputs("affordable", map[string]property.Value{"password": str(bad)}))
		if !strings.Contains(err.Error(), `service "db"`) || strings.Contains(err.Error(), bad) {
			t.Errorf("a password RDS refuses should fail naming the service, not the password: %v", err)
		}
	}
	err := constructErr(t, "defang:aws:ManagedMongo", storeInputs("affordable", map[string]property.Value{"username": str("admin")}))
	if !strings.Contains(err.Error(), `service "db"`) || !strings.Contains(err.Error(), "reserves") {
		t.Errorf("DocumentDB reserves admin: %v", err)
	}
	err = constructErr(t, "defang:aws:ManagedPostgres", storeInputs("affordable", map[string]property.Value{"username": str("app-user")}))
	if !strings.Contains(err.Error(), "POSTGRES_USER") {
		t.Errorf("an invalid POSTGRES_USER should be named: %v", err)
	}
}

func plainState(t *testing.T, token string) property.Map {
	_, state := construct(t, token, "shop-db", storeInputs("balanced", nil))
	return state
}

func TestManagedStoreUsers(t *testing.T) {
	res, _ := construct(t, "defang:aws:ManagedPostgres", "shop-db", storeInputs("affordable", nil))
	db := one(t, res, "aws:rds/instance:Instance").Inputs
	if db["username"] != "postgres" || db["dbName"] != nil || db["engineVersion"] != "17" || db["engine"] != "postgres" {
		t.Errorf("defaults: user %v, database %v, version %v", db["username"], db["dbName"], db["engineVersion"])
	}
	res, _ = construct(t, "defang:aws:ManagedPostgres", "shop-db", storeInputs("affordable", map[string]property.Value{
		"username": str("app"), "version": str("16"), "port": property.New(6543.0)}))
	db = one(t, res, "aws:rds/instance:Instance").Inputs
	if db["username"] != "app" || db["dbName"] != "app" || db["engineVersion"] != "16" || db["port"] != 6543.0 {
		t.Errorf("POSTGRES_USER app: user %v, database %v, version %v, port %v", db["username"], db["dbName"], db["engineVersion"], db["port"])
	}
	for _, rule := range ofType(res, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
		if rule.Inputs["fromPort"] != 6543.0 {
			t.Errorf("the rules follow the store's port: %v", rule.Inputs["fromPort"])
		}
	}
	res, _ = construct(t, "defang:aws:ManagedMongo", "shop-db", storeInputs("affordable", map[string]property.Value{"version": str("7")}))
	cluster := one(t, res, "aws:docdb/cluster:Cluster").Inputs
	if cluster["masterUsername"] != "defang" || cluster["engineVersion"] != "5.0.0" || cluster["engine"] != "docdb" {
		t.Errorf("DocumentDB defaults: %v", cluster)
	}
}

func TestManagedRedisEngine(t *testing.T) {
	for _, tc := range []struct{ image, version, engine, engineVersion string }{
		{"redis:7", "7", "redis", "7.1"},
		{"redis:6.2-alpine", "6", "redis", "6.2"},
		{"redis", "", "redis", "7.1"},
		{"valkey/valkey:8", "8", "valkey", "8.0"},
		{"bitnami/valkey:7.2", "7", "valkey", "7.2"},
	} {
		res, _ := construct(t, "defang:aws:ManagedRedis", "shop-cache", storeInputs("affordable", map[string]property.Value{
			"image": str(tc.image), "version": str(tc.version)}))
		rg := one(t, res, "aws:elasticache/replicationGroup:ReplicationGroup").Inputs
		if rg["engine"] != tc.engine || rg["engineVersion"] != tc.engineVersion {
			t.Errorf("%s: engine %v %v, want %s %s", tc.image, rg["engine"], rg["engineVersion"], tc.engine, tc.engineVersion)
		}
	}
	err := constructErr(t, "defang:aws:ManagedRedis", storeInputs("affordable", map[string]property.Value{"image": str("redis:8"), "version": str("8")}))
	if !strings.Contains(err.Error(), `service "db"`) || !strings.Contains(err.Error(), "redis:7") {
		t.Errorf("Redis 8 should be refused with the versions there are: %v", err)
	}
}

func TestManagedStoreSnapshotAndDowntime(t *testing.T) {
	for _, ms := range managedStores {
		t.Run(ms.token, func(t *testing.T) {
			res, _ := construct(t, ms.token, "shop-db", storeInputs("balanced", map[string]property.Value{"fromSnapshot": str("snap-1")}))
			in := one(t, res, ms.store).Inputs
			if firstOf(in, "snapshotIdentifier", "snapshotName") != "snap-1" {
				t.Errorf("fromSnapshot: %v", in)
			}
			for _, key := range []string{"username", "dbName", "masterUsername"} {
				if in[key] != nil {
					t.Errorf("a restored store takes %s from its snapshot, got %v", key, in[key])
				}
			}
			if in["applyImmediately"] != false || (in["allowMajorVersionUpgrade"] != nil && in["allowMajorVersionUpgrade"] != false) {
				t.Errorf("without allowDowntime, changes wait for the maintenance window: %v", in)
			}

			res, _ = construct(t, ms.token, "shop-db", storeInputs("balanced", map[string]property.Value{"allowDowntime": property.New(true)}))
			in = one(t, res, ms.store).Inputs
			if in["applyImmediately"] != true || (in["allowMajorVersionUpgrade"] != nil && in["allowMajorVersionUpgrade"] != true) {
				t.Errorf("allowDowntime applies changes immediately: %v", in)
			}
			for _, inst := range ofType(res, "aws:docdb/clusterInstance:ClusterInstance") {
				if inst.Inputs["applyImmediately"] != true {
					t.Errorf("%s: applyImmediately %v", inst.Name, inst.Inputs["applyImmediately"])
				}
			}
		})
	}
}

var awsIdentifier = regexp.MustCompile(`^[a-z]([a-z0-9]|-[a-z0-9])*$`)

func TestManagedStoreLongNames(t *testing.T) {
	const project = "2048-game-with-a-very-long-project-name-that-keeps-going-and-going-and-going"
	const service = "Primary_Database.Service-with-an-even-longer-name-than-the-project-has"
	for _, ms := range managedStores {
		// Two services whose names differ only past every limit.
		seen := map[string]string{}
		for _, suffix := range []string{"-a", "-b"} {
			res, _ := construct(t, ms.token, "x", storeInputs("high_availability", map[string]property.Value{
				"projectName": str(project), "serviceName": str(service + suffix)}))
			check := func(what, id string, max int) {
				if len(id) > max || !awsIdentifier.MatchString(id) {
					t.Errorf("%s %q: over %d characters or not a valid identifier", what, id, max)
				}
				if other, ok := seen[what]; ok && other == id {
					t.Errorf("%s %q: two services share it", what, id)
				}
				seen[what] = id
			}
			in := one(t, res, ms.store).Inputs
			switch ms.store {
			case "aws:rds/instance:Instance":
				check("RDS identifier", in["identifier"].(string), 63)
			case "aws:elasticache/replicationGroup:ReplicationGroup":
				check("replication group id", in["replicationGroupId"].(string), 40)
			case "aws:docdb/cluster:Cluster":
				check("DocumentDB cluster identifier", in["clusterIdentifier"].(string), 63)
				for i, inst := range ofType(res, "aws:docdb/clusterInstance:ClusterInstance") {
					check(fmt.Sprintf("DocumentDB instance identifier %d", i), inst.Inputs["identifier"].(string), 63)
				}
			}
			check("final snapshot", in["finalSnapshotIdentifier"].(string), 255)
			check("subnet group", one(t, res, ms.subnetGroup).Inputs["name"].(string), 255)
		}
	}
}

func TestManagedStoreRejectsBadMode(t *testing.T) {
	err := constructErr(t, "defang:aws:ManagedPostgres", storeInputs("cheap", nil))
	if !strings.Contains(err.Error(), `service "db"`) || !strings.Contains(err.Error(), "affordable") {
		t.Errorf("an unknown mode should name the service and the modes: %v", err)
	}
}

// storeOptions constructs a store and returns, for its store resource, the
// options the plan does not record: ignoreChanges and deleteBeforeReplace.
func storeOptions(t *testing.T, ms managedStore, allowDowntime bool) ([]string, bool) {
	t.Helper()
	prov, err := provider.New()
	if err != nil {
		t.Fatal(err)
	}
	var ignore []string
	var deleteFirst bool
	mocks := &integration.MockResourceMonitor{NewResourceF: func(args integration.MockResourceArgs) (string, property.Map, error) {
		if string(args.TypeToken) == ms.store {
			ignore, deleteFirst = args.RegisterRPC.GetIgnoreChanges(), args.RegisterRPC.GetDeleteBeforeReplace()
		}
		if !args.Custom {
			return "", property.Map{}, nil
		}
		return fakecloud.AWSState(string(args.TypeToken), args.Name, plan.DefaultRegion, args.Inputs)
	}}
	server, err := integration.NewServer(t.Context(), provider.Name, semver.MustParse("1.0.0"),
		integration.WithProvider(prov), integration.WithMocks(mocks))
	if err != nil {
		t.Fatal(err)
	}
	urn := presource.URN("urn:pulumi:dev::shop::" + ms.token + "::shop-db")
	inputs := storeInputs("balanced", map[string]property.Value{"allowDowntime": property.New(allowDowntime)})
	if _, err := server.Construct(p.ConstructRequest{Urn: urn, Inputs: property.NewMap(inputs)}); err != nil {
		t.Fatal(err)
	}
	return ignore, deleteFirst
}

func TestManagedStoreReplacement(t *testing.T) {
	for _, ms := range managedStores {
		ignore, deleteFirst := storeOptions(t, ms, false)
		if deleteFirst || !slices.ContainsFunc(ignore, func(s string) bool { return strings.HasPrefix(s, "snapshot") }) {
			t.Errorf("%s without allowDowntime: a change that would recreate the store must be ignored (ignoreChanges %v, deleteBeforeReplace %v)", ms.token, ignore, deleteFirst)
		}
		ignore, deleteFirst = storeOptions(t, ms, true)
		if !deleteFirst || len(ignore) != 0 {
			t.Errorf("%s with allowDowntime: the store is recreated in place (ignoreChanges %v, deleteBeforeReplace %v)", ms.token, ignore, deleteFirst)
		}
	}
}
