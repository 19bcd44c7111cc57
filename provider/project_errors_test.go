package provider

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blang/semver"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/integration"
	presource "github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/DefangLabs/pulumi-defang/provider/fakecloud"
)

// A child resource that fails (here the ImageBuild of a service, as when
// CodeBuild's build fails) fails the Project's Construct with the child's
// own sentence, not with the SDK's "marshaling properties: awaiting input
// property ...: rpc error: code = Unknown desc = ..." around it.
func TestChildFailureThroughConstructIsReadable(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"compose.yaml":   "name: shop\nservices:\n  web:\n    build: ./web\n    ports: [\"80:80\"]\n",
		"web/Dockerfile": "FROM scratch\n",
	} {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const buildFailure = "image build shop-web: CodeBuild build defang:1 ended FAILED in phase BUILD"
	mocks := &integration.MockResourceMonitor{
		CallF: func(args integration.MockCallArgs) (property.Map, error) {
			return fakecloud.AWSInvoke(string(args.Token), "us-east-1", args.Args)
		},
		NewResourceF: func(args integration.MockResourceArgs) (string, property.Map, error) {
			switch {
			case args.TypeToken == "defang:aws:ImageBuild":
				return "", property.Map{}, errors.New(buildFailure)
			case !args.Custom:
				return "", property.Map{}, nil
			}
			id, state, _ := fakecloud.AWSState(string(args.TypeToken), args.Name, "us-east-1", args.Inputs)
			return id, state, nil
		},
	}
	prov, err := New()
	if err != nil {
		t.Fatal(err)
	}
	server, err := integration.NewServer(context.Background(), Name, semver.MustParse("1.0.0"),
		integration.WithProvider(prov), integration.WithMocks(mocks))
	if err != nil {
		t.Fatal(err)
	}
	_, err = server.Construct(p.ConstructRequest{
		Urn: presource.URN("urn:pulumi:dev::shop::defang:index:Project::shop"),
		Inputs: property.NewMap(map[string]property.Value{
			"cloud":        property.New("aws"),
			"composeFiles": property.New(property.NewArray([]property.Value{property.New(filepath.Join(dir, "compose.yaml"))})),
		}),
	})
	if err == nil {
		t.Fatal("the Project was constructed although its ImageBuild failed")
	}
	for _, w := range []string{"marshaling properties", "awaiting input property", "rpc error: code ="} {
		if strings.Contains(err.Error(), w) {
			t.Errorf("the error shows %q: %v", w, err)
		}
	}
	if !strings.Contains(err.Error(), buildFailure) {
		t.Errorf("the error does not carry the build's failure: %v", err)
	}
}

func TestUserError(t *testing.T) {
	for in, want := range map[string]string{
		`marshaling properties: awaiting input property "services": marshaling properties: awaiting input property "administratorLoginPassword": service "db": bad`: `service "db": bad`,
		`waiting for RPCs: rpc error: code = Unknown desc = image build web: failed`:                                                                                `image build web: failed`,
		`invalid compose application: service "web": image: missing`:                                                                                                `invalid compose application: service "web": image: missing`,
	} {
		if got := UserError(errors.New(in)).Error(); got != want {
			t.Errorf("UserError(%q) = %q, want %q", in, got, want)
		}
	}
	if UserError(nil) != nil {
		t.Error("UserError(nil) is not nil")
	}
	inner := errors.New("inner")
	if err := UserError(errors.Join(errors.New("marshaling properties: x"), inner)); !errors.Is(err, inner) {
		t.Errorf("UserError does not wrap its error: %v", err)
	}
}
