package azure

import "testing"

// Values that name a Flexible Server reach its FQDN, and its postgres://
// URLs require TLS unless they choose; Redis URLs get TLS, the port and the
// key.
func TestRewriteValueOfStores(t *testing.T) {
	b := newAddressBook()
	b.postgres["db"], b.redis["cache"] = true, true
	host, auth, cache := ref(storeHostRef("db")), ref(redisAuthRef("cache")), ref(storeHostRef("cache"))
	for in, want := range map[string]string{
		"postgres://u:p@db:5432/x":               "postgres://u:p@" + host + ":5432/x?sslmode=require",
		"postgresql://db/x?connect_timeout=5":    "postgresql://" + host + "/x?connect_timeout=5&sslmode=require",
		"postgres://u:${PW}@db:5432/x":           "postgres://u:${PW}@" + host + ":5432/x?sslmode=require",
		"postgres://db/x?sslmode=disable":        "postgres://" + host + "/x?sslmode=disable",
		"postgres://db/x?ssl=true":               "postgres://" + host + "/x?ssl=true",
		"db":                                     host,
		"db:5432":                                host + ":5432",
		"jdbc:postgresql://db:5432/x":            "jdbc:postgresql://" + host + ":5432/x?sslmode=require",
		"redis://cache:6379/0":                   "rediss://" + auth + "@" + cache + ":10000/0",
		"a=postgres://db/x b=redis://cache:6379": "a=postgres://" + host + "/x?sslmode=require b=rediss://" + auth + "@" + cache + ":10000",
	} {
		if got := b.rewriteValue(in); got != want {
			t.Errorf("rewriteValue(%q)\n got %q\nwant %q", in, got, want)
		}
	}
}
