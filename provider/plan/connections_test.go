package plan

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/DefangLabs/pulumi-defang/provider/fakecloud"
)

// What a dependent's connection value looks like once it names a managed
// store (README "Connection values"). Resources are found by type and by
// what they hold rather than by their logical names, which are not what
// these tests are about.

// containerEnv returns the plain environment and the secret references
// (name -> valueFrom) of the task definition whose family names service.
func containerEnv(t *testing.T, res *Result, service string) (map[string]string, map[string]string) {
	t.Helper()
	for _, r := range res.Resources {
		if r.Type != "aws:ecs/taskDefinition:TaskDefinition" || !strings.HasSuffix(r.Name, "-"+service) {
			continue
		}
		raw, ok := r.Inputs["containerDefinitions"].(string)
		if !ok {
			t.Fatalf("%s: containerDefinitions is %v", r.Name, r.Inputs["containerDefinitions"])
		}
		var defs []struct {
			Environment []struct{ Name, Value string }
			Secrets     []struct{ Name, ValueFrom string }
		}
		if err := json.Unmarshal([]byte(raw), &defs); err != nil {
			t.Fatal(err)
		}
		plain, secrets := map[string]string{}, map[string]string{}
		for _, e := range defs[0].Environment {
			plain[e.Name] = e.Value
		}
		for _, s := range defs[0].Secrets {
			secrets[s.Name] = s.ValueFrom
		}
		return plain, secrets
	}
	t.Fatalf("no task definition of %s", service)
	return nil, nil
}

// ssmParameter returns the SSM parameter whose path ends in suffix.
func ssmParameter(t *testing.T, res *Result, suffix string) *Resource {
	t.Helper()
	for i, r := range res.Resources {
		if name, _ := r.Inputs["name"].(string); r.Type == "aws:ssm/parameter:Parameter" && strings.HasSuffix(name, suffix) {
			return &res.Resources[i]
		}
	}
	t.Fatalf("no SSM parameter *%s", suffix)
	return nil
}

// revealed is a secret string input as the revealing plan shows it
// ("[secret] <JSON value>").
func revealed(v any) string {
	s, _ := v.(string)
	var out string
	if err := json.Unmarshal([]byte(strings.TrimPrefix(s, SecretMarker+" ")), &out); err != nil {
		return s
	}
	return out
}

// docdbEndpoint is the cluster identifier, which starts its endpoint.
func docdbEndpoint(res *Result, t *testing.T) string {
	t.Helper()
	for _, r := range res.Resources {
		if r.Type == "aws:docdb/cluster:Cluster" {
			id, _ := r.Inputs["clusterIdentifier"].(string)
			return id
		}
	}
	t.Fatal("no DocumentDB cluster")
	return ""
}

const mongoCompose = `
name: shop
services:
  app:
    image: node:20
    working_dir: /srv
    environment:
      MONGO_URL: mongodb://mongo:27017/app
      AS_ROOT: mongodb://root:stale@mongo:27017/?authSource=other
      OTHER_USER: mongodb://reader:own-pw@mongo:27017/app
      MONGO_HOST: mongo
  mongo:
    image: mongo:7
    x-defang-mongodb: true
    environment:
      MONGO_INITDB_ROOT_USERNAME: root
      MONGO_INITDB_ROOT_PASSWORD:
`

// A DocumentDB dependent's mongodb:// URL carries the master user and
// password, reaches the container as an ECS secret (its own SecureString
// parameter), never as plain text in the task definition or the plan, and
// has the options DocumentDB documents.
func TestMongoURLCarriesTheMasterCredentialsAsASecret(t *testing.T) {
	cfg := map[string]string{"MONGO_INITDB_ROOT_PASSWORD": "p:ss%w?rd#" + secretValue("MONGO")}
	opts := Options{ComposeYAML: mongoCompose, Cloud: "aws", Mode: "affordable", Config: cfg}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	assertPlanInvariants(t, res, cfg)

	plain, secrets := containerEnv(t, res, "app")
	for _, name := range []string{"MONGO_URL", "AS_ROOT", "OTHER_USER"} {
		if _, ok := plain[name]; ok {
			t.Errorf("%s is a plain environment value: %q", name, plain[name])
		}
		if !strings.HasPrefix(secrets[name], "arn:aws:ssm:") {
			t.Errorf("%s should be an ECS secret read from SSM, got %q", name, secrets[name])
		}
		p := ssmParameter(t, res, "/app/env/"+name)
		if p.Inputs["type"] != "SecureString" || p.Inputs["value"] != SecretMarker {
			t.Errorf("%s: want a SecureString with a secret value, got %v", name, p.Inputs)
		}
	}
	// A bare host names the cluster endpoint, nothing else.
	if !strings.HasPrefix(plain["MONGO_HOST"], docdbEndpoint(res, t)+".cluster-") {
		t.Errorf("MONGO_HOST = %q, want the cluster endpoint", plain["MONGO_HOST"])
	}

	opts.revealSecrets = true
	shown, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	plainShown, _ := containerEnv(t, shown, "app")
	host := plainShown["MONGO_HOST"]
	// The password is percent-encoded in the URL (it holds : % ? #).
	pw := "p%3Ass%25w%3Frd%23" + secretValue("MONGO")
	const options = "tls=true&tlsCAFile=global-bundle.pem&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false&authSource=admin"
	for name, want := range map[string]string{
		"MONGO_URL": "mongodb://root:" + pw + "@" + host + ":27017/app?" + options,
		// The master user's password is the master password, whatever the
		// URL said; the URL's own authSource is kept.
		"AS_ROOT": "mongodb://root:" + pw + "@" + host + ":27017/?authSource=other&tls=true&tlsCAFile=global-bundle.pem&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false",
		// Another user is the user's own business: kept as written.
		"OTHER_USER": "mongodb://reader:own-pw@" + host + ":27017/app?" + options,
	} {
		if got := revealed(ssmParameter(t, shown, "/app/env/"+name).Inputs["value"]); got != want {
			t.Errorf("%s\n got %s\nwant %s", name, got, want)
		}
	}
}

// Without MONGO_INITDB_ROOT_*, the URL carries the default master user and
// the generated password, which the plan never shows.
func TestMongoURLWithAGeneratedPassword(t *testing.T) {
	yaml := `
name: music
services:
  web:
    image: node:20
    environment:
      MONGODB_URI: mongodb://mongo:27017/musicdb
  mongo:
    image: mongo:latest
    x-defang-mongodb: true
`
	opts := Options{ComposeYAML: yaml, Cloud: "aws", Mode: "balanced"}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var generated string
	for _, r := range res.Resources {
		if r.Type == "random:index/randomPassword:RandomPassword" {
			generated = fakecloud.RandomPassword(r.Name)
		}
	}
	if generated == "" {
		t.Fatal("no generated password")
	}
	if out, _ := json.Marshal(res); strings.Contains(string(out), generated) {
		t.Errorf("the generated password appears in the plan")
	}
	_, secrets := containerEnv(t, res, "web")
	if secrets["MONGODB_URI"] == "" {
		t.Errorf("MONGODB_URI should be an ECS secret")
	}
	opts.revealSecrets = true
	shown, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	got := revealed(ssmParameter(t, shown, "/web/env/MONGODB_URI").Inputs["value"])
	if !strings.HasPrefix(got, "mongodb://defang:"+generated+"@") || !strings.HasSuffix(got, ":27017/musicdb?tls=true&tlsCAFile=global-bundle.pem&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false&authSource=admin") {
		t.Errorf("MONGODB_URI = %s", got)
	}
}

// The CA bundle the URL names is not in the user's image: the plan warns,
// naming the service, the variable and the path the image must contain.
func TestMongoCABundleWarning(t *testing.T) {
	cfg := map[string]string{"MONGO_INITDB_ROOT_PASSWORD": secretValue("MONGO")}
	res, err := Run(context.Background(), Options{ComposeYAML: mongoCompose, Cloud: "aws", Mode: "affordable", Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, w := range res.Warnings {
		if strings.Contains(w, "global-bundle.pem") {
			found = append(found, w)
		}
	}
	if len(found) != 3 {
		t.Fatalf("want one CA bundle warning per mongodb:// URL (3), got %q", found)
	}
	for _, w := range found {
		if !strings.Contains(w, `"app"`) || !strings.Contains(w, "/srv/global-bundle.pem") || !strings.Contains(w, "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem") {
			t.Errorf("the warning should name the service, the path in the image and where the bundle comes from: %s", w)
		}
	}
	// A URL that names its own CA file needs no warning.
	yaml := strings.Replace(mongoCompose, "mongodb://mongo:27017/app", "mongodb://mongo:27017/app?tlsCAFile=/etc/ssl/rds.pem", 1)
	res, err = Run(context.Background(), Options{ComposeYAML: yaml, Cloud: "aws", Mode: "affordable", Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range res.Warnings {
		if strings.Contains(w, "MONGO_URL") && strings.Contains(w, "global-bundle.pem") {
			t.Errorf("MONGO_URL names its own CA file, yet: %s", w)
		}
	}
}

const postgresCompose = `
name: shop
services:
  app:
    image: node:20
    environment:
      DATABASE_URL: postgres://u:p@db:5432/shop
      WITH_QUERY: postgresql://u:p@db/shop?connect_timeout=5&application_name=app
      NO_PATH: postgres://db:5432
      DISABLED: postgres://u:p@db:5432/shop?sslmode=disable
      JDBC_STYLE: postgres://u:p@db:5432/shop?ssl=true
      DB_HOST: db
  db:
    image: postgres:16
    x-defang-postgres: true
    environment:
      POSTGRES_PASSWORD: Passw0rd-long
`

// sslmodeCases are what postgresCompose's values become, with HOST for the
// store's address.
var sslmodeCases = map[string]string{
	"DATABASE_URL": "postgres://u:p@HOST:5432/shop?sslmode=require",
	"WITH_QUERY":   "postgresql://u:p@HOST/shop?connect_timeout=5&application_name=app&sslmode=require",
	"NO_PATH":      "postgres://HOST:5432?sslmode=require",
	"DISABLED":     "postgres://u:p@HOST:5432/shop?sslmode=disable",
	"JDBC_STYLE":   "postgres://u:p@HOST:5432/shop?ssl=true",
	"DB_HOST":      "HOST",
}

// RDS for PostgreSQL 15+ refuses plain connections (rds.force_ssl=1):
// dependents' URLs carry sslmode=require unless they choose their own.
func TestPostgresURLsRequireTLSOnAWS(t *testing.T) {
	res, err := Run(context.Background(), Options{ComposeYAML: postgresCompose, Cloud: "aws", Mode: "affordable"})
	if err != nil {
		t.Fatal(err)
	}
	var host string
	for _, r := range res.Resources {
		if r.Type == "aws:rds/instance:Instance" {
			host = r.Inputs["identifier"].(string) + "."
		}
	}
	plain, _ := containerEnv(t, res, "app")
	if !strings.HasPrefix(plain["DB_HOST"], host) {
		t.Fatalf("DB_HOST = %q, want the RDS endpoint %s...", plain["DB_HOST"], host)
	}
	for name, want := range sslmodeCases {
		if want = strings.ReplaceAll(want, "HOST", plain["DB_HOST"]); plain[name] != want {
			t.Errorf("%s\n got %s\nwant %s", name, plain[name], want)
		}
	}
}

// Azure Flexible Server requires TLS (require_secure_transport=ON): the
// same values carry sslmode=require there too.
func TestPostgresURLsRequireTLSOnAzure(t *testing.T) {
	res, err := Run(context.Background(), Options{ComposeYAML: postgresCompose, Cloud: "azure", Mode: "affordable"})
	if err != nil {
		t.Fatal(err)
	}
	plain, refs := appEnv(t, res, "shop-app")
	if len(refs) != 0 {
		t.Errorf("no value holds a secret, yet %v are secret references", refs)
	}
	host := plain["DB_HOST"]
	if !strings.HasSuffix(host, ".postgres.database.azure.com") {
		t.Fatalf("DB_HOST = %q, want the server's FQDN", host)
	}
	for name, want := range sslmodeCases {
		if want = strings.ReplaceAll(want, "HOST", host); plain[name] != want {
			t.Errorf("%s\n got %s\nwant %s", name, plain[name], want)
		}
	}
}
