package engine

import (
	"strings"
	"testing"
)

// TestFailuresAndRecovery fails one cloud build, then one resource, through
// the real engine: each `up` fails naming what failed, keeps what it made,
// and the next `up` after the cause is gone completes the deployment.
func TestFailuresAndRecovery(t *testing.T) {
	w := newWorld(t, worldOptions{withPluginOnPath: true})
	dir := w.copyExample("aws-typescript")
	w.installNode(dir)
	w.newStack(dir)

	// A failing build fails the update with CodeBuild's log line.
	const buildError = "npm ERR! missing script: build"
	w.awsAPI.FailBuilds(buildError)
	out, err := w.run(dir, true, "pulumi", "up", "--yes", "--skip-preview", "--non-interactive")
	if err == nil {
		t.Fatal("up succeeded although the build failed")
	}
	for _, want := range []string{"BUILD_FAILED", buildError} {
		if !strings.Contains(out, want) {
			t.Errorf("the failed up does not show %q:\n%s", want, tail(out, 40))
		}
	}
	if _, result, _ := w.lastUpdate(dir); result != "failed" {
		t.Errorf("history records the failed up as %q", result)
	}
	w.awsAPI.FailBuilds("")

	// A resource the cloud rejects fails the update with the cloud's message.
	const serviceError = "InvalidParameterException: the web service was rejected"
	w.aws.FailOn("aws:ecs/service:Service::shop-web", serviceError)
	out, err = w.run(dir, true, "pulumi", "up", "--yes", "--skip-preview", "--non-interactive")
	if err == nil {
		t.Fatal("up succeeded although the web service failed")
	}
	if !strings.Contains(out, serviceError) || !strings.Contains(out, "shop-web") {
		t.Errorf("the failed up does not name the web service and the cloud's message:\n%s", tail(out, 40))
	}
	w.aws.FailOn("aws:ecs/service:Service::shop-web", "")

	// With the causes gone, up completes, and the one after changes nothing.
	w.pulumi(dir, "up", "--yes", "--skip-preview")
	if _, result, changes := w.lastUpdate(dir); result != "succeeded" || changes["create"] == 0 {
		t.Errorf("recovering up: %s %v, want the remaining resources created", result, changes)
	}
	w.assertDeploymentInvariants(w.export(dir), nil)
	assertShopOutputs(t, w.outputs(dir), "")
	w.pulumi(dir, "up", "--yes", "--skip-preview")
	if _, _, changes := w.lastUpdate(dir); changes.changed() != 0 {
		t.Errorf("up after recovery: %v, want no changes", changes)
	}
	w.pulumi(dir, "destroy", "--yes", "--skip-preview")
	assertCloudEmpty(t, w.aws)
}
