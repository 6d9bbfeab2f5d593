package devissuer

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
)

// User is an account that can sign in at the development issuer.
type User struct {
	// ID is the subject (sub) of the user's tokens. Required, unique.
	ID string
	// Username is the login name, also reported as preferred_username.
	// Required, unique.
	Username string
	// Password is kept in plain text: development only. Required.
	Password string
	// Name is the display name (claim name, scope profile).
	Name string
	// Email is the claim email (scope email).
	Email string
	// EmailVerified is the claim email_verified (scope email).
	EmailVerified bool
}

// DemoUser returns the account used when Config.Users is empty: username
// "demo", password "demo", name "Demo User", email demo@example.com. It is for
// development only: anyone who reads this comment knows the password.
func DemoUser() User {
	return User{
		ID:            "demo",
		Username:      "demo",
		Password:      "demo",
		Name:          "Demo User",
		Email:         "demo@example.com",
		EmailVerified: true,
	}
}

// userStore holds the accounts. It is immutable after newUserStore, so it is
// safe for concurrent use without a lock.
type userStore struct {
	byName map[string]*User
	byID   map[string]*User
	first  *User // the account AutoApprove signs in
}

func newUserStore(users []User) (*userStore, error) {
	if len(users) == 0 {
		users = []User{DemoUser()}
	}
	s := &userStore{byName: map[string]*User{}, byID: map[string]*User{}}
	for i := range users {
		u := users[i] // copy: later edits of the caller's slice change nothing
		switch {
		case u.ID == "" || u.Username == "" || u.Password == "":
			return nil, fmt.Errorf("devissuer: user %d: ID, Username and Password are required", i)
		case s.byID[u.ID] != nil:
			return nil, fmt.Errorf("devissuer: duplicate user ID %q", u.ID)
		case s.byName[u.Username] != nil:
			return nil, fmt.Errorf("devissuer: duplicate username %q", u.Username)
		}
		s.byID[u.ID] = &u
		s.byName[u.Username] = &u
		if s.first == nil {
			s.first = &u
		}
	}
	return s, nil
}

var errBadCredentials = errors.New("devissuer: invalid username or password")

// authenticate checks a username and password. The comparison takes the same
// time whether or not the username exists, so timing does not list accounts.
func (s *userStore) authenticate(username, password string) (*User, error) {
	u := s.byName[username]
	want := "\x00no such user" // never equal to a submitted password hash below
	if u != nil {
		want = u.Password
	}
	got, exp := sha256.Sum256([]byte(password)), sha256.Sum256([]byte(want))
	if subtle.ConstantTimeCompare(got[:], exp[:]) != 1 || u == nil {
		return nil, errBadCredentials
	}
	return u, nil
}

func (s *userStore) byIDOrNil(id string) *User { return s.byID[id] }
