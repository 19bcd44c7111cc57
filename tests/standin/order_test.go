package standin

import (
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

const orderPrefix = "urn:pulumi:dev::app::defang:index:Project$"

func orderURN(typ, name string) string {
	return orderPrefix + typ + "::" + name
}

// tryCreate creates urn and returns the error the stand-in answered.
func tryCreate(t *testing.T, c pulumirpc.ResourceProviderClient, urn string, inputs resource.PropertyMap, preview bool) (string, resource.PropertyMap, error) {
	t.Helper()
	resp, err := c.Create(t.Context(), &pulumirpc.CreateRequest{Urn: urn, Type: string(resource.URN(urn).Type()),
		Name: resource.URN(urn).Name(), Properties: mustMarshal(t, inputs), Preview: preview})
	if err != nil {
		return "", nil, err
	}
	return resp.Id, mustUnmarshal(t, resp.Properties), nil
}

// tryDelete deletes urn (id, with inputs as its old inputs and state).
func tryDelete(t *testing.T, c pulumirpc.ResourceProviderClient, urn, id string, inputs, state resource.PropertyMap) error {
	t.Helper()
	_, err := c.Delete(t.Context(), &pulumirpc.DeleteRequest{Urn: urn, Id: id, Type: string(resource.URN(urn).Type()),
		Name: resource.URN(urn).Name(), OldInputs: mustMarshal(t, inputs), Properties: mustMarshal(t, state)})
	return err
}

func wantRefusal(t *testing.T, what string, err error, wording ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: accepted, want the cloud's refusal", what)
	}
	for _, w := range wording {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: %v\nwant it to say %q", what, err, w)
		}
	}
}

func str2(s string) resource.PropertyValue { return resource.NewProperty(s) }

func serviceInputs(cluster, provider, targetGroup string) resource.PropertyMap {
	in := resource.PropertyMap{
		"name":    str2("api"),
		"cluster": str2(cluster),
		"capacityProviderStrategies": resource.NewProperty([]resource.PropertyValue{resource.NewProperty(resource.PropertyMap{
			"capacityProvider": str2(provider), "weight": resource.NewProperty(1.0),
		})}),
	}
	if targetGroup != "" {
		in["loadBalancers"] = resource.NewProperty([]resource.PropertyValue{resource.NewProperty(resource.PropertyMap{
			"targetGroupArn": str2(targetGroup), "containerName": str2("api"), "containerPort": resource.NewProperty(8080.0),
		})})
	}
	return in
}

func TestServiceNeedsItsCapacityProviderAssociated(t *testing.T) {
	s, c := start(t, AWS)
	_, cluster := create(t, c, clusterURN, clusterInputs("dev"), false)
	clusterArn := cluster["arn"].StringValue()
	svcURN := orderURN(ecsServiceType, "app-api")

	// A preview never calls ECS: it passes.
	if _, _, err := tryCreate(t, c, svcURN, serviceInputs(clusterArn, "FARGATE", ""), true); err != nil {
		t.Fatalf("preview: %v", err)
	}
	_, _, err := tryCreate(t, c, svcURN, serviceInputs(clusterArn, "FARGATE", ""), false)
	wantRefusal(t, "a service before the cluster's capacity providers", err,
		"InvalidParameterException: The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster.",
		"creating ECS Service (api)")
	if got := s.Calls()[len(s.Calls())-1]; got.Method != "Create" || got.Error == "" {
		t.Errorf("the refused create is not recorded with its error: %+v", got)
	}
	if len(s.Resources()) != 1 {
		t.Errorf("a refused create left %d resources", len(s.Resources()))
	}

	// Associated with another cluster: still refused.
	ccpURN := orderURN(ecsClusterProvidersType, "app-capacity")
	create(t, c, orderURN(ecsClusterProvidersType, "other"), resource.PropertyMap{
		"clusterName":       str2("other-cluster"),
		"capacityProviders": resource.NewProperty([]resource.PropertyValue{str2("FARGATE")}),
	}, false)
	_, _, err = tryCreate(t, c, svcURN, serviceInputs(clusterArn, "FARGATE", ""), false)
	wantRefusal(t, "a provider associated with another cluster", err, "not associated with the cluster")

	// FARGATE associated with this cluster (by name, the service giving
	// the ARN): FARGATE passes, FARGATE_SPOT does not.
	ccpIn := resource.PropertyMap{
		"clusterName":       cluster["name"],
		"capacityProviders": resource.NewProperty([]resource.PropertyValue{str2("FARGATE")}),
	}
	ccpID, ccpOut := create(t, c, ccpURN, ccpIn, false)
	if _, _, err := tryCreate(t, c, svcURN, serviceInputs(clusterArn, "FARGATE", ""), false); err != nil {
		t.Errorf("a service on an associated provider: %v", err)
	}
	_, _, err = tryCreate(t, c, orderURN(ecsServiceType, "app-worker"), serviceInputs(clusterArn, "FARGATE_SPOT", ""), false)
	wantRefusal(t, "FARGATE_SPOT not associated", err, "not associated with the cluster")

	// Once the association is deleted, a new service is refused again.
	if err := tryDelete(t, c, ccpURN, ccpID, ccpIn, ccpOut); err != nil {
		t.Fatal(err)
	}
	_, _, err = tryCreate(t, c, orderURN(ecsServiceType, "app-web"), serviceInputs(clusterArn, "FARGATE", ""), false)
	wantRefusal(t, "after the association was deleted", err, "not associated with the cluster")

	// A service with a launch type and no strategy is not concerned.
	if _, _, err := tryCreate(t, c, orderURN(ecsServiceType, "app-ec2"), resource.PropertyMap{
		"cluster": str2(clusterArn), "launchType": str2("FARGATE"),
	}, false); err != nil {
		t.Errorf("a service without a strategy: %v", err)
	}
}

func TestServiceNeedsAListenerOnItsTargetGroup(t *testing.T) {
	_, c := start(t, AWS)
	_, cluster := create(t, c, clusterURN, clusterInputs("dev"), false)
	create(t, c, orderURN(ecsClusterProvidersType, "app-capacity"), resource.PropertyMap{
		"clusterName":       cluster["name"],
		"capacityProviders": resource.NewProperty([]resource.PropertyValue{str2("FARGATE")}),
	}, false)
	_, tg := create(t, c, orderURN("aws:lb/targetGroup:TargetGroup", "app-api-8080"), resource.PropertyMap{
		"port": resource.NewProperty(8080.0), "protocol": str2("HTTP"), "vpcId": str2("vpc-1"), "targetType": str2("ip"),
	}, false)
	_, other := create(t, c, orderURN("aws:lb/targetGroup:TargetGroup", "app-web-80"), resource.PropertyMap{
		"port": resource.NewProperty(80.0), "protocol": str2("HTTP"), "vpcId": str2("vpc-1"), "targetType": str2("ip"),
	}, false)
	tgArn, otherArn := tg["arn"].StringValue(), other["arn"].StringValue()
	svc := serviceInputs(cluster["arn"].StringValue(), "FARGATE", tgArn)
	svcURN := orderURN(ecsServiceType, "app-api")

	if _, _, err := tryCreate(t, c, svcURN, svc, true); err != nil {
		t.Fatalf("preview: %v", err)
	}
	_, _, err := tryCreate(t, c, svcURN, svc, false)
	wantRefusal(t, "a target group no listener forwards to", err,
		"InvalidParameterException: The target group with targetGroupArn "+tgArn+" does not have an associated load balancer.")

	// A listener forwarding to another target group does not help.
	create(t, c, orderURN(lbListenerType, "app-http"), resource.PropertyMap{
		"loadBalancerArn": str2("arn:lb"), "port": resource.NewProperty(80.0),
		"defaultActions": resource.NewProperty([]resource.PropertyValue{resource.NewProperty(resource.PropertyMap{
			"type": str2("forward"), "targetGroupArn": str2(otherArn),
		})}),
	}, false)
	_, _, err = tryCreate(t, c, svcURN, svc, false)
	wantRefusal(t, "a listener forwarding elsewhere", err, "does not have an associated load balancer")

	// A listener rule forwarding to it (weighted forward) does.
	create(t, c, orderURN(lbListenerRuleType, "app-api-host"), resource.PropertyMap{
		"listenerArn": str2("arn:listener"),
		"actions": resource.NewProperty([]resource.PropertyValue{resource.NewProperty(resource.PropertyMap{
			"type": str2("forward"),
			"forward": resource.NewProperty(resource.PropertyMap{"targetGroups": resource.NewProperty([]resource.PropertyValue{
				resource.NewProperty(resource.PropertyMap{"arn": str2(tgArn), "weight": resource.NewProperty(1.0)}),
			})}),
		})}),
	}, false)
	if _, _, err := tryCreate(t, c, svcURN, svc, false); err != nil {
		t.Errorf("a target group a listener rule forwards to: %v", err)
	}

	// A listener's default action counts too.
	svc2 := serviceInputs(cluster["arn"].StringValue(), "FARGATE", otherArn)
	if _, _, err := tryCreate(t, c, orderURN(ecsServiceType, "app-web"), svc2, false); err != nil {
		t.Errorf("a target group a listener forwards to: %v", err)
	}
}

func TestFinalSnapshotNamesAreKept(t *testing.T) {
	_, c := start(t, AWS)
	for _, tc := range []struct {
		typ, idKey, fault string
	}{
		{rdsInstanceType, "identifier", "DBSnapshotAlreadyExists: Cannot create the snapshot because a snapshot with the identifier app-dev-db-final already exists."},
		{docdbClusterType, "clusterIdentifier", "DBClusterSnapshotAlreadyExistsFault"},
	} {
		in := resource.PropertyMap{
			resource.PropertyKey(tc.idKey): str2("app-dev-db"),
			"skipFinalSnapshot":            resource.NewProperty(false),
			"finalSnapshotIdentifier":      str2("app-dev-db-final"),
		}
		urn := orderURN(tc.typ, "app-db")
		id, out := create(t, c, urn, in, false)
		if err := tryDelete(t, c, urn, id, in, out); err != nil {
			t.Fatalf("%s: the first delete: %v", tc.typ, err)
		}
		// The same store again (a second destroy, or a replacement under
		// the same names): its final snapshot's name is taken.
		id, out = create(t, c, urn, in, false)
		err := tryDelete(t, c, urn, id, in, out)
		wantRefusal(t, tc.typ+": a second final snapshot of the same name", err, tc.fault, "app-dev-db-final")

		// Case does not make a new name; skipping the snapshot or another
		// name deletes.
		upper := in.Copy()
		upper["finalSnapshotIdentifier"] = str2("App-Dev-DB-Final")
		wantRefusal(t, tc.typ+": the same name in other case", tryDelete(t, c, urn, id, upper, out), "already exists")
		skip := in.Copy()
		skip["skipFinalSnapshot"] = resource.NewProperty(true)
		if err := tryDelete(t, c, urn, id, skip, out); err != nil {
			t.Errorf("%s: skipFinalSnapshot: %v", tc.typ, err)
		}
	}
	// RDS and DocumentDB snapshots are different namespaces; a new name passes.
	in := resource.PropertyMap{"identifier": str2("x"), "finalSnapshotIdentifier": str2("app-dev-db-final-2")}
	urn := orderURN(rdsInstanceType, "app-db2")
	id, out := create(t, c, urn, in, false)
	if err := tryDelete(t, c, urn, id, in, out); err != nil {
		t.Errorf("a new snapshot name: %v", err)
	}
}

func TestSoftDeletedSecretNames(t *testing.T) {
	_, c := start(t, AzureNative)
	in := func(vault, name string) resource.PropertyMap {
		return resource.PropertyMap{
			"resourceGroupName": str2("app-rg"), "vaultName": str2(vault), "secretName": str2(name),
			"properties": resource.NewProperty(resource.PropertyMap{"value": resource.MakeSecret(str2("s3cr3t"))}),
		}
	}
	urn := orderURN(keyVaultSecretType, "app-api-key")
	id, out := create(t, c, urn, in("appkv", "API-KEY"), false)
	if err := tryDelete(t, c, urn, id, in("appkv", "API-KEY"), out); err != nil {
		t.Fatal(err)
	}
	// Previews pass; the create is refused, whatever the case of the name.
	if _, _, err := tryCreate(t, c, urn, in("appkv", "API-KEY"), true); err != nil {
		t.Fatalf("preview: %v", err)
	}
	_, _, err := tryCreate(t, c, urn, in("AppKV", "api-key"), false)
	wantRefusal(t, "a secret name still soft-deleted", err,
		`Status=409 Code="Conflict" Message="Secret api-key is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged."`)
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("the refusal shows the secret's value: %v", err)
	}
	// The same name in another vault, or another name, is free.
	if _, _, err := tryCreate(t, c, urn, in("otherkv", "API-KEY"), false); err != nil {
		t.Errorf("another vault: %v", err)
	}
	if _, _, err := tryCreate(t, c, orderURN(keyVaultSecretType, "app-db"), in("appkv", "DB-PASSWORD"), false); err != nil {
		t.Errorf("another name: %v", err)
	}
}

func TestTaskDefinitionRevisions(t *testing.T) {
	s, c := start(t, AWS)
	urn := orderURN(ecsTaskDefinitionType, "app-api")
	in := resource.PropertyMap{"family": str2("app-dev-api"), "containerDefinitions": str2(`[{"name":"api"}]`)}
	id1, out1 := create(t, c, urn, in, false)
	want := "arn:aws:ecs:us-west-2:"
	if arn := out1["arn"].StringValue(); !strings.HasPrefix(arn, want) || !strings.HasSuffix(arn, ":task-definition/app-dev-api:1") {
		t.Errorf("first revision arn = %q", arn)
	}
	if out1["revision"].NumberValue() != 1 || !strings.HasSuffix(out1["arnWithoutRevision"].StringValue(), "task-definition/app-dev-api") {
		t.Errorf("first revision outputs: %v", out1)
	}
	// A preview does not register anything.
	if _, out, _ := tryCreate(t, c, urn, in, true); !out["arn"].IsComputed() {
		t.Errorf("preview arn = %v", out["arn"])
	}
	// A replacement registers revision 2 under the same URN; deleting the
	// replaced revision 1 leaves revision 2 in the cloud.
	changed := in.Copy()
	changed["containerDefinitions"] = str2(`[{"name":"api","environment":[{"name":"LOG_LEVEL","value":"debug"}]}]`)
	id2, out2 := create(t, c, urn, changed, false)
	if !strings.HasSuffix(out2["arn"].StringValue(), ":task-definition/app-dev-api:2") {
		t.Errorf("second revision arn = %q", out2["arn"].StringValue())
	}
	if err := tryDelete(t, c, urn, id1, in, out1); err != nil {
		t.Fatal(err)
	}
	res := s.Resources()
	if len(res) != 1 || res[0].ID != id2 || res[0].Outputs["arn"].StringValue() != out2["arn"].StringValue() {
		t.Errorf("after deleting the replaced revision the stand-in holds %+v, want revision 2", res)
	}
	if err := tryDelete(t, c, urn, id2, changed, out2); err != nil {
		t.Fatal(err)
	}
	if res := s.Resources(); len(res) != 0 {
		t.Errorf("after deleting revision 2 the stand-in holds %+v", res)
	}
}

func TestSlowCreates(t *testing.T) {
	const d = 300 * time.Millisecond
	_, c := start(t, AWS, WithSlowCreates(d, ecsClusterProvidersType))
	in := resource.PropertyMap{"clusterName": str2("app"), "capacityProviders": resource.NewProperty([]resource.PropertyValue{str2("FARGATE")})}
	urn := orderURN(ecsClusterProvidersType, "app-capacity")
	for _, tc := range []struct {
		urn     string
		preview bool
		slow    bool
	}{{urn, true, false}, {urn, false, true}, {clusterURN, false, false}} {
		began := time.Now()
		create(t, c, tc.urn, in, tc.preview)
		if took := time.Since(began); (took >= d) != tc.slow {
			t.Errorf("create of %s (preview %v) took %v, want slow %v", tc.urn, tc.preview, took, tc.slow)
		}
	}
}
