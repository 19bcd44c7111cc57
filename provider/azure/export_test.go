package azure

// SetAsuidRecordExists replaces the DNS check of hosts outside the zone for
// a test; the returned function restores it.
func SetAsuidRecordExists(f func(host string) bool) (restore func()) {
	old := asuidRecordExists
	asuidRecordExists = f
	return func() { asuidRecordExists = old }
}
