package httpd

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// errorBody is the JSON body of every error response.
type errorBody struct {
	Code        string `json:"code"`
	Description string `json:"description"`
}

// writeJSON sends v as a JSON document with a trailing newline.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body, _ = json.Marshal(errorBody{Code: "internal_error", Description: "encode response: " + err.Error()})
	}
	body = append(body, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError sends the JSON error body {"code": code, "description": description}.
func writeError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, errorBody{Code: code, Description: description})
}

// writeBusy sends a 503 that asks the client to retry after one second.
func writeBusy(w http.ResponseWriter, code, description string) {
	w.Header().Set("Retry-After", "1")
	writeError(w, http.StatusServiceUnavailable, code, description)
}
