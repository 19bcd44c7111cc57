package azure_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// Microsoft.App's ContainerAppProbe: initialDelaySeconds "Minimum value is
// 1. Maximum value is 60." (Azure/azure-rest-api-specs,
// specification/app/resource-manager/Microsoft.App/stable/2024-03-01/CommonDefinitions.json).
// A healthcheck without start_period must not plan 0, and a long
// start_period is capped at 60.
func TestAzureProbeInitialDelayWithinTheAPIRange(t *testing.T) {
	for start, want := range map[float64]float64{0: 1, 1: 1, 30: 30, 600: 60} {
		in := caAppInputs("balanced")
		c := in["container"].AsMap()
		hc := c.Get("healthcheck").AsMap().Set("startPeriodSeconds", caNum(start))
		in["container"] = property.New(c.Set("healthcheck", property.New(hc)))
		res, _ := caConstruct(t, caAppToken, "shop-api", in)
		probes, _ := caAt(caOne(t, res, caAppType).Inputs, "template", "containers").([]any)[0].(map[string]any)["probes"].([]any)
		if len(probes) == 0 {
			t.Fatalf("start_period %v: no probes", start)
		}
		for _, p := range probes {
			if got := p.(map[string]any)["initialDelaySeconds"]; got != want {
				t.Errorf("start_period %v: initialDelaySeconds %v, want %v", start, got, want)
			}
		}
	}
}
