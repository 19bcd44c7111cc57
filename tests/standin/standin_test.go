package standin

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	cbtypes "github.com/aws/aws-sdk-go-v2/service/codebuild/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/DefangLabs/pulumi-defang/provider"
	"github.com/DefangLabs/pulumi-defang/provider/buildcontext"
	"github.com/DefangLabs/pulumi-defang/provider/fakecloud"
)

const (
	clusterType = "aws:ecs/cluster:Cluster"
	clusterURN  = "urn:pulumi:dev::app::defang:index:Project$defang:aws:Cluster$aws:ecs/cluster:Cluster::app-cluster"
	vpcURN      = "urn:pulumi:dev::app::defang:aws:Network$aws:ec2/vpc:Vpc::app-vpc"
)

// start serves a stand-in for the test and returns a gRPC client to it,
// handshaken and configured as the engine does.
func start(t *testing.T, name string, opts ...Option) (*Server, pulumirpc.ResourceProviderClient) {
	t.Helper()
	s, err := Start(name, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	conn, err := grpc.NewClient(s.Address(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := pulumirpc.NewResourceProviderClient(conn)
	hs, err := c.Handshake(t.Context(), &pulumirpc.ProviderHandshakeRequest{EngineAddress: "127.0.0.1:1"})
	if err != nil {
		t.Fatalf("Handshake: %v", err)
	}
	if !hs.AcceptSecrets || !hs.AcceptResources || !hs.AcceptOutputs {
		t.Errorf("Handshake = %v, want secrets, resources and outputs accepted", hs)
	}
	if _, err := c.Attach(t.Context(), &pulumirpc.PluginAttach{Address: "127.0.0.1:2"}); err != nil {
		t.Fatalf("Attach: %v", err)
	}
	if got := s.EngineAddress(); got != "127.0.0.1:2" {
		t.Errorf("EngineAddress = %q", got)
	}
	cfg := mustMarshal(t, resource.PropertyMap{"region": resource.NewProperty(s.Region())})
	if _, err := c.CheckConfig(t.Context(), &pulumirpc.CheckRequest{Urn: "urn:pulumi:dev::app::pulumi:providers:" + name + "::default", News: cfg}); err != nil {
		t.Fatalf("CheckConfig: %v", err)
	}
	conf, err := c.Configure(t.Context(), &pulumirpc.ConfigureRequest{Args: cfg, AcceptSecrets: true, AcceptResources: true})
	if err != nil {
		t.Fatalf("Configure: %v", err)
	}
	if !conf.AcceptSecrets || !conf.SupportsPreview || !conf.AcceptResources || !conf.AcceptOutputs {
		t.Errorf("Configure = %v", conf)
	}
	return s, c
}

func mustMarshal(t *testing.T, m resource.PropertyMap) *structpb.Struct {
	t.Helper()
	s, err := plugin.MarshalProperties(m, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustUnmarshal(t *testing.T, s *structpb.Struct) resource.PropertyMap {
	t.Helper()
	m, err := plugin.UnmarshalProperties(s, plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func clusterInputs(tag string) resource.PropertyMap {
	return resource.PropertyMap{
		"tags": resource.NewProperty(resource.PropertyMap{"env": resource.NewProperty(tag)}),
		"settings": resource.NewProperty([]resource.PropertyValue{resource.NewProperty(resource.PropertyMap{
			"name": resource.NewProperty("containerInsights"), "value": resource.NewProperty("enabled"),
		})}),
		"token": resource.MakeSecret(resource.NewProperty("s3cr3t-token")),
	}
}

func create(t *testing.T, c pulumirpc.ResourceProviderClient, urn string, inputs resource.PropertyMap, preview bool) (string, resource.PropertyMap) {
	t.Helper()
	resp, err := c.Create(t.Context(), &pulumirpc.CreateRequest{Urn: urn, Type: string(resource.URN(urn).Type()),
		Name: resource.URN(urn).Name(), Properties: mustMarshal(t, inputs), Preview: preview})
	if err != nil {
		t.Fatalf("Create %s: %v", urn, err)
	}
	return resp.Id, mustUnmarshal(t, resp.Properties)
}

func diff(t *testing.T, c pulumirpc.ResourceProviderClient, urn, id string, olds, news resource.PropertyMap) *pulumirpc.DiffResponse {
	t.Helper()
	resp, err := c.Diff(t.Context(), &pulumirpc.DiffRequest{Urn: urn, Id: id, OldInputs: mustMarshal(t, olds),
		Olds: mustMarshal(t, olds), News: mustMarshal(t, news)})
	if err != nil {
		t.Fatalf("Diff: %v", err)
	}
	return resp
}

func methods(calls []Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Method)
	}
	return out
}

func TestAWSLifecycle(t *testing.T) {
	s, c := start(t, AWS)
	info, err := c.GetPluginInfo(t.Context(), &emptypb.Empty{})
	if err != nil || info.Version != "6.83.2" {
		t.Errorf("GetPluginInfo = %v, %v", info, err)
	}
	schema, err := c.GetSchema(t.Context(), &pulumirpc.GetSchemaRequest{})
	if err != nil || schema.Schema != `{"name":"aws","version":"6.83.2"}` {
		t.Errorf("GetSchema = %v, %v", schema, err)
	}

	inputs := clusterInputs("dev")
	check, err := c.Check(t.Context(), &pulumirpc.CheckRequest{Urn: clusterURN, News: mustMarshal(t, inputs)})
	if err != nil || len(check.Failures) > 0 {
		t.Fatalf("Check = %v, %v", check, err)
	}
	// Check autonames the cluster as pulumi-aws does, and changes nothing else.
	autonamed := inputs.Copy()
	autonamed["name"] = resource.NewProperty("app-cluster-" + shortID(clusterType, "app-cluster")[:7])
	if got := mustUnmarshal(t, check.Inputs); !got.DeepEquals(autonamed) {
		t.Errorf("Check inputs = %v, want %v", got, autonamed)
	}

	// Preview: inputs as given, computed outputs unknown, no id.
	id, out := create(t, c, clusterURN, inputs, true)
	if id != "" || !out["arn"].IsComputed() || !out["name"].IsComputed() || !out["tags"].DeepEquals(inputs["tags"]) {
		t.Errorf("preview Create = %q, %v", id, out)
	}
	if len(s.Resources()) != 0 {
		t.Errorf("a preview created %v", s.Resources())
	}

	id, out = create(t, c, clusterURN, inputs, false)
	wantName := "app-cluster-" + shortID(clusterType, "app-cluster")[:7]
	if id != wantName || out["name"].StringValue() != wantName {
		t.Errorf("Create id %q name %v, want %q", id, out["name"], wantName)
	}
	if arn := out["arn"].StringValue(); arn != "arn:aws:ecs:us-west-2:"+fakecloud.AccountID+":"+wantName {
		t.Errorf("arn = %q", arn)
	}
	if !out["token"].IsSecret() || out["token"].SecretValue().Element.StringValue() != "s3cr3t-token" {
		t.Errorf("the secret input is not a secret output: %v", out["token"])
	}
	fid, fstate, _ := fakecloud.AWSState(clusterType, "app-cluster", "us-west-2", resource.FromResourcePropertyMap(inputs))
	if fid != id || !resource.ToResourcePropertyMap(fstate).DeepEquals(out) {
		t.Errorf("Create disagrees with fakecloud.AWSState: %q %v", fid, fstate)
	}

	// No change: DIFF_NONE, even with secretness differing.
	same := clusterInputs("dev")
	if d := diff(t, c, clusterURN, id, inputs, same); d.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("Diff of equal inputs = %v", d)
	}
	plainToken := clusterInputs("dev")
	plainToken["token"] = resource.NewProperty("s3cr3t-token")
	if d := diff(t, c, clusterURN, id, inputs, plainToken); d.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("Diff that only unsecrets a value = %v", d)
	}
	// A change: DIFF_SOME naming the key, an update, no replace.
	changed := clusterInputs("prod")
	d := diff(t, c, clusterURN, id, inputs, changed)
	if d.Changes != pulumirpc.DiffResponse_DIFF_SOME || !reflect.DeepEqual(d.Diffs, []string{"tags"}) ||
		len(d.Replaces) > 0 || d.DetailedDiff["tags"].GetKind() != pulumirpc.PropertyDiff_UPDATE {
		t.Errorf("Diff of a changed tag = %v", d)
	}
	// An unknown is a change; an added and a removed key are changes.
	unknown := clusterInputs("dev")
	unknown["tags"] = resource.MakeComputed(resource.NewProperty(""))
	delete(unknown, "settings")
	unknown["extra"] = resource.NewProperty(true)
	if d := diff(t, c, clusterURN, id, inputs, unknown); !reflect.DeepEqual(d.Diffs, []string{"extra", "settings", "tags"}) {
		t.Errorf("Diff with an unknown = %v", d)
	}
	// ignoreChanges are not changes.
	resp, err := c.Diff(t.Context(), &pulumirpc.DiffRequest{Urn: clusterURN, Id: id, OldInputs: mustMarshal(t, inputs),
		News: mustMarshal(t, changed), IgnoreChanges: []string{"tags"}})
	if err != nil || resp.Changes != pulumirpc.DiffResponse_DIFF_NONE {
		t.Errorf("Diff with ignoreChanges = %v, %v", resp, err)
	}

	up, err := c.Update(t.Context(), &pulumirpc.UpdateRequest{Urn: clusterURN, Id: id, Olds: mustMarshal(t, out),
		OldInputs: mustMarshal(t, inputs), News: mustMarshal(t, changed)})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	upOut := mustUnmarshal(t, up.Properties)
	if upOut["name"].StringValue() != wantName || !upOut["tags"].DeepEquals(changed["tags"]) {
		t.Errorf("Update = %v", upOut)
	}
	if live := s.Resources(); len(live) != 1 || live[0].ID != id || !live[0].Outputs.DeepEquals(upOut) {
		t.Errorf("Resources after Update = %v", live)
	}

	// Read (refresh) answers with the state it was given.
	read, err := c.Read(t.Context(), &pulumirpc.ReadRequest{Urn: clusterURN, Id: id, Properties: mustMarshal(t, upOut),
		Inputs: mustMarshal(t, changed)})
	if err != nil || read.Id != id || !mustUnmarshal(t, read.Properties).DeepEquals(upOut) ||
		!mustUnmarshal(t, read.Inputs).DeepEquals(changed) {
		t.Errorf("Read = %v, %v", read, err)
	}
	// A read without state (a get) answers with what the stand-in holds.
	read, err = c.Read(t.Context(), &pulumirpc.ReadRequest{Urn: clusterURN, Id: id})
	if err != nil || !mustUnmarshal(t, read.Properties).DeepEquals(upOut) {
		t.Errorf("Read without state = %v, %v", read, err)
	}

	if _, err := c.Delete(t.Context(), &pulumirpc.DeleteRequest{Urn: clusterURN, Id: id, Properties: mustMarshal(t, upOut),
		OldInputs: mustMarshal(t, changed)}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if live := s.Resources(); len(live) != 0 {
		t.Errorf("Resources after Delete = %v", live)
	}

	want := []string{"CheckConfig", "Configure", "Check", "Create", "Create", "Diff", "Diff", "Diff", "Diff", "Diff",
		"Update", "Read", "Read", "Delete"}
	calls := s.Calls()
	if got := methods(calls); !reflect.DeepEqual(got, want) {
		t.Errorf("calls %v\nwant  %v", got, want)
	}
	if c := calls[3]; !c.Preview || c.URN != clusterURN || c.Type != clusterType || !c.Inputs["token"].IsSecret() {
		t.Errorf("preview Create call = %+v", c)
	}
	if c := calls[4]; c.Preview || c.ID != id || c.Outputs["arn"].StringValue() == "" {
		t.Errorf("Create call = %+v", c)
	}
	if c := calls[len(calls)-1]; c.ID != id || !c.Inputs.DeepEquals(changed) {
		t.Errorf("Delete call = %+v", c)
	}
}

func TestAWSDeterministicAcrossServers(t *testing.T) {
	_, c1 := start(t, AWS)
	_, c2 := start(t, AWS)
	vpc := resource.PropertyMap{"cidrBlock": resource.NewProperty("10.0.0.0/16")}
	id1, out1 := create(t, c1, vpcURN, vpc, false)
	id2, out2 := create(t, c2, vpcURN, vpc, false)
	if id1 != id2 || !out1.DeepEquals(out2) {
		t.Errorf("two servers disagree: %q %v / %q %v", id1, out1, id2, out2)
	}
	if !regexp.MustCompile(`^vpc-[0-9a-f]{12}$`).MatchString(id1) {
		t.Errorf("vpc id %q", id1)
	}
	// The region option reaches ARNs.
	_, c3 := start(t, AWS, WithRegion("eu-central-1"))
	_, out3 := create(t, c3, vpcURN, vpc, false)
	if !strings.HasPrefix(out3["arn"].StringValue(), "arn:aws:ec2:eu-central-1:") {
		t.Errorf("arn in eu-central-1 = %v", out3["arn"])
	}
}

func TestFailOn(t *testing.T) {
	s, c := start(t, AWS)
	s.FailOn("::app-cluster", "quota exceeded: clusters")
	// Previews still succeed: the failure happens in the update.
	create(t, c, clusterURN, clusterInputs("dev"), true)
	_, err := c.Create(t.Context(), &pulumirpc.CreateRequest{Urn: clusterURN, Properties: mustMarshal(t, clusterInputs("dev"))})
	if st, _ := status.FromError(err); err == nil || st.Message() != "quota exceeded: clusters" {
		t.Fatalf("Create under FailOn = %v", err)
	}
	_, err = c.Update(t.Context(), &pulumirpc.UpdateRequest{Urn: clusterURN, Id: "x", News: mustMarshal(t, clusterInputs("dev"))})
	if err == nil || !strings.Contains(err.Error(), "quota exceeded") {
		t.Errorf("Update under FailOn = %v", err)
	}
	if len(s.Resources()) != 0 {
		t.Errorf("a failed Create left %v", s.Resources())
	}
	// Other resources are not affected.
	create(t, c, vpcURN, resource.PropertyMap{}, false)
	s.FailOn("::app-cluster", "")
	create(t, c, clusterURN, clusterInputs("dev"), false)
	calls := s.Calls()
	var errs []string
	for _, c := range calls {
		errs = append(errs, c.Error)
	}
	if !slices.Contains(errs, "quota exceeded: clusters") {
		t.Errorf("the failed call is not recorded with its error: %v", errs)
	}
}

func TestInvoke(t *testing.T) {
	_, c := start(t, AWS, WithRegion("eu-west-1"))
	resp, err := c.Invoke(t.Context(), &pulumirpc.InvokeRequest{Tok: fakecloud.GetAvailabilityZones, Args: mustMarshal(t, nil)})
	if err != nil {
		t.Fatal(err)
	}
	names := mustUnmarshal(t, resp.Return)["names"].ArrayValue()
	if len(names) != 4 || names[0].StringValue() != "eu-west-1a" {
		t.Errorf("zone names %v", names)
	}
	for _, tok := range []string{fakecloud.GetRegion, fakecloud.GetCallerIdentity, fakecloud.GetPartition} {
		resp, err := c.Invoke(t.Context(), &pulumirpc.InvokeRequest{Tok: tok})
		want, _ := fakecloud.AWSInvoke(tok, "eu-west-1")
		if err != nil || !mustUnmarshal(t, resp.Return).DeepEquals(resource.ToResourcePropertyMap(want)) {
			t.Errorf("Invoke %s = %v, %v", tok, resp, err)
		}
	}
	_, err = c.Invoke(t.Context(), &pulumirpc.InvokeRequest{Tok: "aws:ec2/getVpc:getVpc"})
	if err == nil || !strings.Contains(err.Error(), "aws:ec2/getVpc:getVpc") {
		t.Errorf("unknown invoke = %v", err)
	}

	_, rc := start(t, Random)
	_, err = rc.Invoke(t.Context(), &pulumirpc.InvokeRequest{Tok: "random:index/getX:getX"})
	if err == nil || !strings.Contains(err.Error(), "random:index/getX:getX") {
		t.Errorf("random invoke = %v", err)
	}
}

func TestRandom(t *testing.T) {
	s, c := start(t, Random)
	if s.Version() != "4.19.0" {
		t.Errorf("version %q", s.Version())
	}
	pwURN := "urn:pulumi:dev::app::defang:index:Project$random:index/randomPassword:RandomPassword::db-password"
	pwInputs := resource.PropertyMap{"length": resource.NewProperty(20.0), "special": resource.NewProperty(false)}
	id, out := create(t, c, pwURN, pwInputs, false)
	result := out["result"]
	if id != "none" || !result.IsSecret() || !out["bcryptHash"].IsSecret() {
		t.Fatalf("RandomPassword = %q %v", id, out)
	}
	pw := result.SecretValue().Element.StringValue()
	if !regexp.MustCompile(`^[A-Za-z0-9]{20}$`).MatchString(pw) {
		t.Errorf("password %q: want 20 letters and digits", pw)
	}
	if h := out["bcryptHash"].SecretValue().Element.StringValue(); !strings.HasPrefix(h, "$2a$10$") || len(h) != 60 {
		t.Errorf("bcryptHash %q", h)
	}
	// Preview: the result is an unknown secret.
	_, prev := create(t, c, pwURN, pwInputs, true)
	if !prev["result"].ContainsUnknowns() {
		t.Errorf("preview result %v", prev["result"])
	}
	// Deterministic by URN, across servers; another URN differs.
	_, c2 := start(t, Random)
	_, out2 := create(t, c2, pwURN, pwInputs, false)
	if !out2.DeepEquals(out) {
		t.Errorf("two servers disagree on the password")
	}
	_, other := create(t, c2, strings.Replace(pwURN, "db-password", "other", 1), pwInputs, false)
	if other["result"].DeepEquals(result) {
		t.Errorf("two URNs got the same password")
	}

	_, str := create(t, c, "urn:pulumi:dev::app::random:index/randomString:RandomString::suffix",
		resource.PropertyMap{"length": resource.NewProperty(6.0), "upper": resource.NewProperty(false),
			"special": resource.NewProperty(false), "numeric": resource.NewProperty(false)}, false)
	if r := str["result"]; r.IsSecret() || !regexp.MustCompile(`^[a-z]{6}$`).MatchString(r.StringValue()) {
		t.Errorf("RandomString result %v", r)
	}
	_, n := create(t, c, "urn:pulumi:dev::app::random:index/randomInteger:RandomInteger::port",
		resource.PropertyMap{"min": resource.NewProperty(1000.0), "max": resource.NewProperty(1009.0)}, false)
	if v := n["result"].NumberValue(); v < 1000 || v > 1009 || v != float64(int(v)) {
		t.Errorf("RandomInteger %v", v)
	}
	rid, ri := create(t, c, "urn:pulumi:dev::app::random:index/randomId:RandomId::id",
		resource.PropertyMap{"byteLength": resource.NewProperty(4.0)}, false)
	if len(ri["hex"].StringValue()) != 8 || ri["b64Url"].StringValue() != rid {
		t.Errorf("RandomId %q %v", rid, ri)
	}
	_, u := create(t, c, "urn:pulumi:dev::app::random:index/randomUuid:RandomUuid::u", nil, false)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(u["result"].StringValue()) {
		t.Errorf("RandomUuid %v", u["result"])
	}
	pet, _ := create(t, c, "urn:pulumi:dev::app::random:index/randomPet:RandomPet::pet",
		resource.PropertyMap{"length": resource.NewProperty(3.0), "separator": resource.NewProperty("_")}, false)
	if len(strings.Split(pet, "_")) != 3 {
		t.Errorf("RandomPet %q", pet)
	}
	oid, oout := create(t, c, "urn:pulumi:dev::app::random:index/randomShuffle:RandomShuffle::s",
		resource.PropertyMap{"inputs": resource.NewProperty([]resource.PropertyValue{resource.NewProperty("a")})}, false)
	if oid == "" || len(oout) != 1 {
		t.Errorf("unknown random type = %q %v", oid, oout)
	}
}

func TestAzureNative(t *testing.T) {
	s, c := start(t, AzureNative)
	if s.Version() != "2.92.0" {
		t.Errorf("version %q", s.Version())
	}
	id, out := create(t, c, "urn:pulumi:dev::app::azure-native:network:VirtualNetwork::vnet",
		resource.PropertyMap{"resourceGroupName": resource.NewProperty("rg1"), "virtualNetworkName": resource.NewProperty("vnet")}, false)
	if id != "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.Network/virtualNetworks/vnet" ||
		out["name"].StringValue() != "vnet" {
		t.Errorf("azure-native = %q %v", id, out)
	}
}

func TestStartUnknown(t *testing.T) {
	if _, err := Start("gcp"); err == nil {
		t.Error("Start(gcp) succeeded")
	}
}

func TestDebugProvidersEnv(t *testing.T) {
	if got := DebugProvidersEnv(&Server{Name: "aws", Port: 40001}, &Server{Name: "random", Port: 40002}); got != "aws:40001,random:40002" {
		t.Errorf("DebugProvidersEnv = %q", got)
	}
}

func TestRecordFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "calls.jsonl")
	s, c := start(t, AWS, WithRecordFile(path))
	create(t, c, clusterURN, clusterInputs("dev"), true)
	create(t, c, clusterURN, clusterInputs("dev"), false)
	s.Stop()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "s3cr3t-token") {
		t.Errorf("the record file holds a secret in plaintext:\n%s", data)
	}
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		var l map[string]any
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	if len(lines) != 4 || lines[2]["method"] != "Create" || lines[2]["preview"] != true {
		t.Fatalf("record lines %v", lines)
	}
	if in := lines[3]["inputs"].(map[string]any); in["token"] != SecretMarker {
		t.Errorf("token recorded as %v", in["token"])
	}
	if out := lines[2]["outputs"].(map[string]any); out["arn"] != UnknownMarker {
		t.Errorf("preview arn recorded as %v", out["arn"])
	}
}

// awsClients are the real SDK clients pointed at the fake, as our plugin
// builds them with AWS_ENDPOINT_URL set.
func awsClients(t *testing.T, api *AWSAPI) (*s3.Client, *codebuild.Client, *cloudwatchlogs.Client) {
	t.Helper()
	cfg := awssdk.Config{
		Region:       "us-west-2",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDSTANDIN", "secret", ""),
		BaseEndpoint: awssdk.String(api.URL),
		Retryer:      func() awssdk.Retryer { return awssdk.NopRetryer{} },
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		codebuild.NewFromConfig(cfg), cloudwatchlogs.NewFromConfig(cfg)
}

func TestAWSAPI(t *testing.T) {
	api, err := StartAWSAPI()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	s3c, cb, logs := awsClients(t, api)
	ctx := context.Background()
	bucket, key := "defang-src", "contexts/abc.tar.gz"

	_, err = s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 404 {
		t.Fatalf("HeadObject of a missing object = %v", err)
	}
	body := strings.Repeat("context bytes ", 1000)
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader(body),
		ContentLength: awssdk.Int64(int64(len(body)))}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if _, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key}); err != nil {
		t.Errorf("HeadObject after PutObject: %v", err)
	}
	if got := string(api.Objects()[bucket+"/"+key]); got != body {
		t.Errorf("stored %d bytes, want %d", len(got), len(body))
	}

	env := []cbtypes.EnvironmentVariable{
		{Name: awssdk.String("DEFANG_CONTEXT_URL"), Value: awssdk.String("s3://" + bucket + "/" + key)},
		{Name: awssdk.String("DEFANG_REPOSITORY_URL"), Value: awssdk.String("123456789012.dkr.ecr.us-west-2.amazonaws.com/app")},
	}
	start, err := cb.StartBuild(ctx, &codebuild.StartBuildInput{ProjectName: awssdk.String("defang-builds"),
		EnvironmentVariablesOverride: env, SourceTypeOverride: cbtypes.SourceTypeNoSource})
	if err != nil {
		t.Fatalf("StartBuild: %v", err)
	}
	if start.Build.BuildComplete || start.Build.BuildStatus != cbtypes.StatusTypeInProgress {
		t.Errorf("StartBuild answered a finished build: %+v", start.Build)
	}
	id := *start.Build.Id
	got, err := cb.BatchGetBuilds(ctx, &codebuild.BatchGetBuildsInput{Ids: []string{id}})
	if err != nil || len(got.Builds) != 1 {
		t.Fatalf("BatchGetBuilds = %v, %v", got, err)
	}
	b := got.Builds[0]
	wantDigest := BuildDigest(map[string]string{"DEFANG_CONTEXT_URL": "s3://" + bucket + "/" + key,
		"DEFANG_REPOSITORY_URL": "123456789012.dkr.ecr.us-west-2.amazonaws.com/app"})
	if !b.BuildComplete || b.BuildStatus != cbtypes.StatusTypeSucceeded || len(b.ExportedEnvironmentVariables) != 1 ||
		*b.ExportedEnvironmentVariables[0].Name != "IMAGE_DIGEST" || *b.ExportedEnvironmentVariables[0].Value != wantDigest {
		t.Errorf("finished build = %+v", b)
	}
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(wantDigest) {
		t.Errorf("digest %q", wantDigest)
	}
	// The same request gets the same id.
	again, err := cb.StartBuild(ctx, &codebuild.StartBuildInput{ProjectName: awssdk.String("defang-builds"),
		EnvironmentVariablesOverride: env})
	if err != nil || *again.Build.Id != id {
		t.Errorf("second StartBuild = %v, %v", again, err)
	}

	api.FailBuilds("ERROR: failed to solve: missing go.sum")
	api.InstantBuilds(true)
	failed, err := cb.StartBuild(ctx, &codebuild.StartBuildInput{ProjectName: awssdk.String("defang-builds"),
		EnvironmentVariablesOverride: env[:1]})
	if err != nil {
		t.Fatal(err)
	}
	fb := failed.Build
	if !fb.BuildComplete || fb.BuildStatus != cbtypes.StatusTypeFailed {
		t.Fatalf("failed build = %+v", fb)
	}
	events, err := logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: fb.Logs.GroupName,
		LogStreamName: fb.Logs.StreamName, StartFromHead: awssdk.Bool(false), Limit: awssdk.Int32(30)})
	if err != nil {
		t.Fatalf("GetLogEvents: %v", err)
	}
	var lines []string
	for _, e := range events.Events {
		lines = append(lines, *e.Message)
	}
	if !slices.Contains(lines, "ERROR: failed to solve: missing go.sum\n") {
		t.Errorf("log lines %q", lines)
	}
	if _, err := cb.StopBuild(ctx, &codebuild.StopBuildInput{Id: fb.Id}); err != nil {
		t.Errorf("StopBuild: %v", err)
	}
	api.FailBuilds("")

	wantCalls := []string{
		"HEAD /defang-src/contexts/abc.tar.gz", "PUT /defang-src/contexts/abc.tar.gz", "HEAD /defang-src/contexts/abc.tar.gz",
		"StartBuild defang-builds", "BatchGetBuilds " + id, "StartBuild defang-builds", "StartBuild defang-builds",
		"GetLogEvents /aws/codebuild/defang-builds " + *fb.Logs.StreamName, "StopBuild " + *fb.Id,
	}
	if got := api.Calls(); !reflect.DeepEqual(got, wantCalls) {
		t.Errorf("calls\n%q\nwant\n%q", got, wantCalls)
	}
	builds := api.Builds()
	if len(builds) != 2 || builds[0].Status != "SUCCEEDED" || builds[1].Status != "STOPPED" ||
		!strings.HasPrefix(builds[0].ID, "defang-builds:") || builds[0].Region != "us-west-2" {
		t.Errorf("builds %+v", builds)
	}
}

// TestAWSAPIServesImageBuild runs our own defang:aws:ImageBuild against the
// fake, configured only through the environment, as in the engine tests.
func TestAWSAPIServesImageBuild(t *testing.T) {
	api, err := StartAWSAPI()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	api.InstantBuilds(true) // ImageBuild would wait 5 s before polling
	home := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": api.URL, "AWS_REGION": "us-west-2", "AWS_ACCESS_KEY_ID": "AKIDSTANDIN",
		"AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": filepath.Join(home, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(home, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true",
	} {
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	digest, err := buildcontext.Digest(dir, "Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	prov, err := provider.New()
	if err != nil {
		t.Fatal(err)
	}
	server, err := integration.NewServer(t.Context(), provider.Name, semver.MustParse("1.0.0"), integration.WithProvider(prov))
	if err != nil {
		t.Fatal(err)
	}
	repo := "123456789012.dkr.ecr.us-west-2.amazonaws.com/app"
	inputs := property.NewMap(map[string]property.Value{
		"contextPath": property.New(dir), "contextDigest": property.New(digest), "bucket": property.New("defang-src"),
		"codeBuildProject": property.New("defang-builds"), "repositoryUrl": property.New(repo),
	})
	urn := resource.URN("urn:pulumi:dev::app::defang:aws:ImageBuild::app-image")
	resp, err := server.Create(p.CreateRequest{Urn: urn, Properties: inputs})
	if err != nil {
		t.Fatalf("ImageBuild Create: %v", err)
	}
	builds := api.Builds()
	if len(builds) != 1 {
		t.Fatalf("builds %+v", builds)
	}
	if got := resp.Properties.Get("imageUri").AsString(); got != repo+"@"+builds[0].Digest {
		t.Errorf("imageUri %q, want %s@%s", got, repo, builds[0].Digest)
	}
	key := "defang-src/contexts/" + strings.TrimPrefix(digest, "sha256:") + ".tar.gz"
	if _, ok := api.Objects()[key]; !ok {
		t.Errorf("the context was not uploaded to %s: %v", key, api.Calls())
	}

	// A failing build reports the log line.
	api.FailBuilds("ERROR: failed to solve: no such file")
	_, err = server.Create(p.CreateRequest{Urn: urn, Properties: inputs.Set("target", property.New("other"))})
	if err == nil || !strings.Contains(err.Error(), "ERROR: failed to solve: no such file") {
		t.Errorf("failing build = %v", err)
	}
}

// A RandomId created again under the same URN (a replacement, or an up after
// a destroy) draws new bytes, as the real provider does, so the names that
// end in it (Key Vault secrets, final snapshots) are new too; the sequence is
// the same on every server.
func TestRandomRecreatedDrawsNewValues(t *testing.T) {
	urn := "urn:pulumi:dev::app::defang:index:Project$random:index/randomId:RandomId::final"
	in := resource.PropertyMap{"byteLength": resource.NewProperty(4.0)}
	sequence := func() []string {
		_, c := start(t, Random)
		var hexes []string
		for range 3 {
			id, out := create(t, c, urn, in, false)
			hexes = append(hexes, out["hex"].StringValue())
			if err := tryDelete(t, c, urn, id, in, out); err != nil {
				t.Fatal(err)
			}
		}
		return hexes
	}
	first := sequence()
	if first[0] == first[1] || first[1] == first[2] || first[0] == first[2] {
		t.Fatalf("re-created RandomIds repeat: %v", first)
	}
	if again := sequence(); strings.Join(again, ",") != strings.Join(first, ",") {
		t.Fatalf("two servers disagree: %v then %v", first, again)
	}
}
