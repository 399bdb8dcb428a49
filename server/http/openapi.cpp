// The OpenAPI 3 description of /v1. Written by hand next to the routes it describes
// (http/api_routes.cpp); tests check that every /v1 route of the router is in it and that
// every documented path answers.
#include "http/api_routes.hpp"

namespace chorus::http {

std::string_view OpenApiDocument() {
  return R"json({
  "openapi": "3.0.3",
  "info": {
    "title": "Chorus organizer API",
    "version": "1",
    "description": "What an organization runs, through /v1. Authenticate with a bearer token (chorus token create). Errors are {code, message, field, request_id}. Lists are paginated with next_cursor."
  },
  "security": [{"bearer": []}],
  "paths": {
    "/v1/organization": {
      "get": {
        "operationId": "getOrganization",
        "summary": "The token's organization",
        "responses": {
          "200": {"description": "The organization", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Organization"}}}},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"}
        }
      }
    },
    "/v1/chapters": {
      "get": {
        "operationId": "listChapters",
        "summary": "Chapters within the token's reach",
        "responses": {
          "200": {"description": "The chapters", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChapterList"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"}
        }
      }
    },
    "/v1/members": {
      "get": {
        "operationId": "searchMembers",
        "summary": "Members within the token's reach, filtered; phone numbers only for roles that may read personal data",
        "parameters": [
          {"name": "chapter", "in": "query", "schema": {"type": "string"}, "description": "A chapter's slug; includes its sub-chapters"},
          {"name": "tag", "in": "query", "schema": {"type": "string"}},
          {"name": "language", "in": "query", "schema": {"type": "string"}},
          {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["active", "opted_out", "contact"]}},
          {"name": "field", "in": "query", "schema": {"type": "string"}, "description": "NAME:VALUE, for example zip:10001"},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}},
          {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "next_cursor of the previous page"}
        ],
        "responses": {
          "200": {"description": "One page of members", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MemberPage"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/v1/members/{id}": {
      "get": {
        "operationId": "getMember",
        "summary": "One member",
        "parameters": [
          {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9]+$"}}
        ],
        "responses": {
          "200": {"description": "The member", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Member"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "bearer": {"type": "http", "scheme": "bearer"}
    },
    "responses": {
      "Invalid": {"description": "A parameter is malformed; field names it", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unauthenticated": {"description": "No valid bearer token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Forbidden": {"description": "Outside the token's role or chapters; says nothing of whether the resource exists", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "NotFound": {"description": "No such resource in the organization", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "schemas": {
      "Error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
          "code": {"type": "string"},
          "message": {"type": "string"},
          "field": {"type": "string"},
          "request_id": {"type": "string"}
        }
      },
      "Organization": {
        "type": "object",
        "properties": {
          "slug": {"type": "string"},
          "name": {"type": "string"},
          "default_language": {"type": "string"},
          "time_zone": {"type": "string"}
        }
      },
      "Chapter": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "int64 as a string"},
          "slug": {"type": "string"},
          "name": {"type": "string"},
          "parent": {"type": "string"},
          "country": {"type": "string"},
          "time_zone": {"type": "string"}
        }
      },
      "ChapterList": {
        "type": "object",
        "properties": {"chapters": {"type": "array", "items": {"$ref": "#/components/schemas/Chapter"}}}
      },
      "Member": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "int64 as a string"},
          "phone": {"type": "string", "description": "E.164; absent for roles that may not read personal data"},
          "language": {"type": "string"},
          "status": {"type": "string", "enum": ["active", "opted_out", "contact"]},
          "chapters": {"type": "array", "items": {"type": "string"}},
          "tags": {"type": "array", "items": {"type": "string"}},
          "fields": {"type": "object", "additionalProperties": {"type": "string"}},
          "joined_at": {"type": "string"},
          "created_at": {"type": "string"}
        }
      },
      "MemberPage": {
        "type": "object",
        "properties": {
          "members": {"type": "array", "items": {"$ref": "#/components/schemas/Member"}},
          "next_cursor": {"type": "string"}
        }
      }
    }
  }
})json";
}

}  // namespace chorus::http
