package standin

import (
	"reflect"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func kinds(d *pulumirpc.DiffResponse) map[string]pulumirpc.PropertyDiff_Kind {
	out := map[string]pulumirpc.PropertyDiff_Kind{}
	for k, v := range d.DetailedDiff {
		out[k] = v.Kind
	}
	return out
}

func TestDiffReplacesLikeTheRealProviders(t *testing.T) {
	_, c := start(t, AWS)
	// An environment edit: the task definition is replaced (every field is
	// ForceNew), its service only updated (taskDefinition is updatable).
	tdURN := orderURN(ecsTaskDefinitionType, "app-api")
	td := resource.PropertyMap{"family": str2("app-dev-api"), "cpu": str2("256"),
		"containerDefinitions": str2(`[{"name":"api","environment":[]}]`),
		"tags":                 resource.NewProperty(resource.PropertyMap{"env": str2("dev")})}
	edited := td.Copy()
	edited["containerDefinitions"] = str2(`[{"name":"api","environment":[{"name":"LOG_LEVEL","value":"debug"}]}]`)
	edited["tags"] = resource.NewProperty(resource.PropertyMap{"env": str2("prod")})
	d := diff(t, c, tdURN, "app-dev-api", td, edited)
	if d.Changes != pulumirpc.DiffResponse_DIFF_SOME || !reflect.DeepEqual(d.Replaces, []string{"containerDefinitions"}) {
		t.Errorf("task definition diff: changes %v, replaces %v", d.Changes, d.Replaces)
	}
	if got := kinds(d); got["containerDefinitions"] != pulumirpc.PropertyDiff_UPDATE_REPLACE || got["tags"] != pulumirpc.PropertyDiff_UPDATE {
		t.Errorf("task definition detailed diff: %v", got)
	}
	if d.DeleteBeforeReplace {
		t.Errorf("a task definition is deleted before its replacement is registered")
	}

	svcURN := orderURN(ecsServiceType, "app-api")
	svc := resource.PropertyMap{"name": str2("api"), "cluster": str2("arn:c"), "taskDefinition": str2("arn:td:1")}
	newTD := svc.Copy()
	newTD["taskDefinition"] = resource.MakeComputed(str2(""))
	d = diff(t, c, svcURN, "api", svc, newTD)
	if d.Changes != pulumirpc.DiffResponse_DIFF_SOME || len(d.Replaces) != 0 ||
		kinds(d)["taskDefinition"] != pulumirpc.PropertyDiff_UPDATE {
		t.Errorf("service diff on a new task definition: %v", d)
	}
	newCluster := svc.Copy()
	newCluster["cluster"] = str2("arn:c2")
	if d = diff(t, c, svcURN, "api", svc, newCluster); !reflect.DeepEqual(d.Replaces, []string{"cluster"}) {
		t.Errorf("service diff on a new cluster: replaces %v", d.Replaces)
	}
	// ignoreChanges leaves a ForceNew key out entirely.
	resp, err := c.Diff(t.Context(), &pulumirpc.DiffRequest{Urn: svcURN, Id: "api", OldInputs: mustMarshal(t, svc),
		Olds: mustMarshal(t, svc), News: mustMarshal(t, newCluster), IgnoreChanges: []string{"cluster"}})
	if err != nil || resp.Changes != pulumirpc.DiffResponse_DIFF_NONE || len(resp.Replaces) != 0 {
		t.Errorf("an ignored ForceNew change: %v, %v", resp, err)
	}
}

func TestAzureDiffReplacesOnNames(t *testing.T) {
	_, c := start(t, AzureNative)
	urn := orderURN("azure-native:app/v20240301:ContainerApp", "app-api")
	app := resource.PropertyMap{"resourceGroupName": str2("app-rg"), "containerAppName": str2("api"),
		"location": str2("westus2"),
		"template": resource.NewProperty(resource.PropertyMap{"revisionSuffix": str2("a")})}
	edited := app.Copy()
	edited["template"] = resource.NewProperty(resource.PropertyMap{"revisionSuffix": str2("b")})
	if d := diff(t, c, urn, "id", app, edited); d.Changes != pulumirpc.DiffResponse_DIFF_SOME || len(d.Replaces) != 0 {
		t.Errorf("a template edit: %v", d)
	}
	renamed := app.Copy()
	renamed["containerAppName"] = str2("api2")
	renamed["location"] = str2("eastus")
	d := diff(t, c, urn, "id", app, renamed)
	if !reflect.DeepEqual(d.Replaces, []string{"containerAppName", "location"}) {
		t.Errorf("a rename and a move: replaces %v", d.Replaces)
	}
}
