package api

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"

	"settle"
)

var pathParam = regexp.MustCompile(`\{([a-zA-Z]+)\}`)

// openAPI is the API document (OpenAPI 3.0.3), built from the route table: each
// route's parameters with their types and enumerations, its request body and its
// answer as schemas read from the Go types the handlers return, and the error
// answers every route can give.
func (s *Server) openAPI(context.Context, *request) (any, error) {
	paths := map[string]map[string]any{}
	for _, rt := range s.routes() {
		params := []any{}
		for _, m := range pathParam.FindAllStringSubmatch(rt.pattern, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.query {
			params = append(params, map[string]any{"name": q.name, "in": "query", "required": q.required, "schema": paramSchema(q)})
		}
		content := jsonContent(schemaOf(reflect.TypeOf(rt.out)))
		if _, ok := rt.out.(htmlPage); ok {
			content = map[string]any{"text/html": map[string]any{"schema": map[string]any{"type": "string"}}}
		}
		responses := map[string]any{
			"200": map[string]any{"description": "OK", "content": content},
			"400": errorResponse("a bad parameter or body, named in errorProperties.parameter"),
			"404": errorResponse("not found"),
			"405": errorResponse("a method this path does not serve"),
			"413": errorResponse("a body over 64 KiB"),
		}
		if !rt.public {
			responses["401"] = errorResponse("not signed by a valid key within the time window")
			responses["403"] = errorResponse("another partner's data")
		}
		op := map[string]any{"operationId": rt.id, "summary": rt.summary, "parameters": params, "responses": responses}
		if rt.body != nil {
			op["requestBody"] = map[string]any{"required": false, "content": jsonContent(schemaOf(reflect.TypeOf(rt.body)))}
		}
		if !rt.public {
			op["security"] = []map[string][]string{{"Key": {}, "Timestamp": {}, "Sign": {}}}
		}
		if paths[rt.pattern] == nil {
			paths[rt.pattern] = map[string]any{}
		}
		paths[rt.pattern][strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]string{"title": "settle read-only API", "version": s.version,
			"description": "Signed requests: headers Key, Timestamp (unix ms, within 3 minutes) and Sign = hex(HMAC-SHA256(secret, METHOD\\npath?query\\nTimestamp\\nhex(sha256(body))))."},
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"Key":       map[string]string{"type": "apiKey", "in": "header", "name": "Key"},
				"Timestamp": map[string]string{"type": "apiKey", "in": "header", "name": "Timestamp"},
				"Sign":      map[string]string{"type": "apiKey", "in": "header", "name": "Sign"}},
			"schemas": map[string]any{"ErrorModel": schemaOf(reflect.TypeOf(errorModel{}))}},
		"paths": paths,
	}, nil
}

func jsonContent(schema map[string]any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

func errorResponse(about string) map[string]any {
	return map[string]any{"description": about, "content": jsonContent(map[string]any{"$ref": "#/components/schemas/ErrorModel"})}
}

func paramSchema(p param) map[string]any {
	switch p.kind {
	case "integer":
		return map[string]any{"type": "integer"}
	case "boolean":
		return map[string]any{"type": "boolean"}
	case "date", "date-time":
		return map[string]any{"type": "string", "format": p.kind}
	}
	if p.enum != nil {
		return map[string]any{"type": "string", "enum": p.enum}
	}
	return map[string]any{"type": "string"}
}

var (
	moneyType   = reflect.TypeOf(settle.Money{})
	dayType     = reflect.TypeOf(settle.Day{})
	timeType    = reflect.TypeOf(time.Time{})
	rawJSONType = reflect.TypeOf(rawJSON{})
)

// schemaOf is the JSON schema of what encoding/json writes for a value of type t:
// objects from the json tags, money as a number, days as dates, pointers nullable.
func schemaOf(t reflect.Type) map[string]any {
	switch t {
	case moneyType:
		return map[string]any{"type": "number"}
	case dayType:
		return map[string]any{"type": "string", "format": "date", "nullable": true}
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case rawJSONType:
		return map[string]any{} // any JSON value
	}
	switch t.Kind() {
	case reflect.Pointer:
		sch := schemaOf(t.Elem())
		if _, ref := sch["$ref"]; !ref {
			sch["nullable"] = true
		}
		return sch
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		props, order := map[string]any{}, []string{}
		addFields(t, props, &order)
		return map[string]any{"type": "object", "properties": props, "required": order}
	}
	return map[string]any{}
}

// addFields adds the JSON fields of struct t (embedded structs flattened) in order.
func addFields(t reflect.Type, props map[string]any, order *[]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if !f.IsExported() || tag == "-" {
			continue
		}
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			addFields(f.Type, props, order)
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		props[name] = schemaOf(f.Type)
		*order = append(*order, name)
	}
}

// rawJSON is a JSON document stored as text (a wallet's metadata, a run's summary),
// written into a response as is. Both drivers hand text over as a string.
type rawJSON []byte

// Scan reads the stored text.
func (r *rawJSON) Scan(src any) error {
	switch v := src.(type) {
	case string:
		*r = rawJSON(v)
	case []byte:
		*r = append(rawJSON(nil), v...)
	case nil:
		*r = nil
	default:
		return fmt.Errorf("json text: cannot scan %T", src)
	}
	return nil
}

// MarshalJSON writes the document itself (null when there is none).
func (r rawJSON) MarshalJSON() ([]byte, error) {
	if len(r) == 0 {
		return []byte("null"), nil
	}
	return r, nil
}

// UnmarshalJSON keeps the document as it is.
func (r *rawJSON) UnmarshalJSON(b []byte) error {
	*r = append(rawJSON(nil), b...)
	return nil
}
