//go:build !race

package bearer

const mwRaceEnabled = false
