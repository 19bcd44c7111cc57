package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"sync"

	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// dotnetDefaultLogoURL is the icon the .NET generator downloads when the schema
// has no logoUrl (see getLogo in pulumi-language-dotnet/v3/codegen/gen.go).
const dotnetDefaultLogoURL = "https://raw.githubusercontent.com/pulumi/pulumi/" +
	"dbc96206bec722b7791a22ff50e895ab7c0abdc0/sdk/dotnet/pulumi_logo_64x64.png"

// logoURL is the URL the .NET generator will fetch for pkg.
func logoURL(pkg *schema.Package) string {
	if pkg.LogoURL != "" {
		return pkg.LogoURL
	}
	return dotnetDefaultLogoURL
}

// offlineTransport answers the one request the generators make (the .NET
// package icon) from memory and refuses every other request, so generation is
// deterministic and never depends on the network.
type offlineTransport struct {
	url  string
	logo []byte
}

func (t offlineTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	if req.Method != http.MethodGet || req.URL.String() != t.url {
		return nil, fmt.Errorf("sdkgen runs offline: refusing %s %s", req.Method, req.URL)
	}
	return &http.Response{
		Status:        "200 OK",
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": []string{"image/png"}},
		Body:          io.NopCloser(bytes.NewReader(t.logo)),
		ContentLength: int64(len(t.logo)),
		Request:       req,
	}, nil
}

// useOfflineHTTP routes http.DefaultClient (what http.Get uses) through an
// offlineTransport that serves logo (or the built-in icon) for url. The
// returned function restores the previous transport.
func useOfflineHTTP(url string, logo []byte) (restore func()) {
	if logo == nil {
		logo = builtinLogo()
	}
	prev := http.DefaultClient.Transport
	http.DefaultClient.Transport = offlineTransport{url: url, logo: logo}
	return func() { http.DefaultClient.Transport = prev }
}

// builtinLogo is a 64x64 PNG icon: a rounded square in Defang blue. It is
// drawn in code rather than committed as a binary; the PNG encoder is
// deterministic, so the generated .NET logo.png is stable byte for byte.
var builtinLogo = sync.OnceValue(func() []byte {
	const size, radius = 64, 12
	blue := color.NRGBA{R: 0x3b, G: 0x5b, B: 0xdb, A: 0xff}
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	for y := range size {
		for x := range size {
			if insideRoundedSquare(x, y, size, radius) {
				img.SetNRGBA(x, y, blue)
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // encoding an in-memory image cannot fail
	}
	return buf.Bytes()
})

// insideRoundedSquare reports whether pixel (x, y) lies in a size×size square
// whose corners are rounded with the given radius.
func insideRoundedSquare(x, y, size, radius int) bool {
	cx := min(max(x, radius), size-1-radius)
	cy := min(max(y, radius), size-1-radius)
	dx, dy := x-cx, y-cy
	return dx*dx+dy*dy <= radius*radius
}
