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
      "patch": {
        "operationId": "updateMember",
        "summary": "Set fields and add or remove tags, in order with the member's own messages",
        "parameters": [
          {"$ref": "#/components/parameters/Id"},
          {"$ref": "#/components/parameters/IdempotencyKey"}
        ],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UpdateMemberRequest"}}}},
        "responses": {
          "202": {"description": "Queued", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Queued"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"$ref": "#/components/responses/KeyReused"}
        }
      },
      "delete": {
        "operationId": "eraseMember",
        "summary": "Erase the member completely on their request (owners and organizers): phone number, messages, answers, stories; only the opt-out and consent record stays, under a hash",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "Erased", "content": {"application/json": {"schema": {"type": "object", "properties": {"status": {"type": "string"}}}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      },
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
    },
    "/v1/conversations": {
      "get": {
        "operationId": "listConversations",
        "summary": "The inbox: handed-off conversations and stories within the token's reach",
        "parameters": [
          {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["open", "closed"], "default": "open"}},
          {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["hand_off", "story"]}},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}},
          {"name": "cursor", "in": "query", "schema": {"type": "string"}}
        ],
        "responses": {
          "200": {"description": "One page of conversations", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConversationPage"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"}
        }
      }
    },
    "/v1/conversations/{id}": {
      "get": {
        "operationId": "getConversation",
        "summary": "One conversation with its messages",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "The conversation", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConversationDetail"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/v1/conversations/{id}/reply": {
      "post": {
        "operationId": "replyToConversation",
        "summary": "Text the member one to one; sent in order with their own messages, never after their STOP",
        "parameters": [
          {"$ref": "#/components/parameters/Id"},
          {"$ref": "#/components/parameters/IdempotencyKey"}
        ],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReplyRequest"}}}},
        "responses": {
          "202": {"description": "Queued", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Queued"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"description": "The conversation is closed, or the Idempotency-Key was used for another request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      }
    },
    "/v1/actions": {
      "get": {
        "operationId": "listActions",
        "summary": "What members did (RSVPs, check-ins, signatures, pledges, stories), within the token's reach; format=csv exports (audited)",
        "parameters": [
          {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["petition", "pledge", "rsvp", "check_in", "story", "custom"]}},
          {"name": "event", "in": "query", "schema": {"type": "string"}, "description": "An event's slug"},
          {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv"], "default": "json"}},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000}, "description": "1-100 (default 50) for json, 1-10000 (default 10000) for csv"},
          {"$ref": "#/components/parameters/Cursor"}
        ],
        "responses": {
          "200": {
            "description": "One page of actions; a CSV export carries the next page's cursor in X-Next-Cursor",
            "headers": {"X-Next-Cursor": {"schema": {"type": "string"}}},
            "content": {
              "application/json": {"schema": {"$ref": "#/components/schemas/ActionPage"}},
              "text/csv": {"schema": {"type": "string"}}
            }
          },
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/v1/audit": {
      "get": {
        "operationId": "listAudit",
        "summary": "The audit log, oldest first: who did what, with ids, never message bodies",
        "parameters": [{"$ref": "#/components/parameters/Limit"}, {"$ref": "#/components/parameters/Cursor"}],
        "responses": {
          "200": {"description": "One page of entries", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AuditPage"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"}
        }
      }
    },
    "/v1/members/{id}/flows": {
      "post": {
        "operationId": "startFlow",
        "summary": "Start a flow for the member, in order with their own messages; nothing is sent to a member who opted out",
        "parameters": [
          {"$ref": "#/components/parameters/Id"},
          {"$ref": "#/components/parameters/IdempotencyKey"}
        ],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/StartFlowRequest"}}}},
        "responses": {
          "202": {"description": "Queued", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Queued"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"$ref": "#/components/responses/KeyReused"}
        }
      }
    },
    "/v1/members/{id}/opt-out": {
      "post": {
        "operationId": "optOutMember",
        "summary": "Opt the member out of the whole organization on their behalf (recorded with source api, no confirmation text), in order with their own messages",
        "parameters": [
          {"$ref": "#/components/parameters/Id"},
          {"$ref": "#/components/parameters/IdempotencyKey"}
        ],
        "responses": {
          "202": {"description": "Queued", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Queued"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"$ref": "#/components/responses/KeyReused"}
        }
      }
    },
    "/v1/tokens": {
      "get": {
        "operationId": "listTokens",
        "summary": "The organization's API tokens (never the tokens themselves)",
        "responses": {
          "200": {"description": "The tokens", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenList"}}}},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"}
        }
      },
      "post": {
        "operationId": "createToken",
        "summary": "Create a token (owners only); the token is in this answer and never again",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateTokenRequest"}}}},
        "responses": {
          "201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreatedToken"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/v1/tokens/{id}/revoke": {
      "post": {
        "operationId": "revokeToken",
        "summary": "Revoke a token at once (owners only); revoking twice changes nothing",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "The tokens after revoking", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenList"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/v1/conversations/{id}/close": {
      "post": {
        "operationId": "closeConversation",
        "summary": "Close it: the member's messages go to flows again",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "The closed conversation", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ConversationDetail"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    }
  },
  "components": {
    "parameters": {
      "IdempotencyKey": {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "maxLength": 200}, "description": "A repeat with the same key gets the first answer and does nothing more"},
      "Limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}},
      "Cursor": {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "next_cursor of the previous page"},
      "Id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9]+$"}}
    },
    "securitySchemes": {
      "bearer": {"type": "http", "scheme": "bearer"}
    },
    "responses": {
      "Invalid": {"description": "A parameter is malformed; field names it", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unauthenticated": {"description": "No valid bearer token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Forbidden": {"description": "Outside the token's role or chapters; says nothing of whether the resource exists", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "KeyReused": {"description": "The Idempotency-Key was used for another request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
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
      "Story": {
        "type": "object",
        "properties": {
          "body": {"type": "string"},
          "place": {"type": "string"},
          "share_consent": {"type": "boolean"}
        }
      },
      "Conversation": {
        "type": "object",
        "properties": {
          "id": {"type": "string"},
          "member_id": {"type": "string"},
          "phone": {"type": "string"},
          "channel": {"type": "string"},
          "kind": {"type": "string", "enum": ["hand_off", "story"]},
          "status": {"type": "string", "enum": ["open", "closed"]},
          "opened_at": {"type": "string"},
          "closed_at": {"type": "string"},
          "story": {"$ref": "#/components/schemas/Story"}
        }
      },
      "ConversationPage": {
        "type": "object",
        "properties": {
          "conversations": {"type": "array", "items": {"$ref": "#/components/schemas/Conversation"}},
          "next_cursor": {"type": "string"}
        }
      },
      "ThreadMessage": {
        "type": "object",
        "properties": {
          "direction": {"type": "string", "enum": ["inbound", "outbound"]},
          "body": {"type": "string"},
          "at": {"type": "string"},
          "status": {"type": "string"}
        }
      },
      "ConversationDetail": {
        "type": "object",
        "properties": {
          "conversation": {"$ref": "#/components/schemas/Conversation"},
          "messages": {"type": "array", "items": {"$ref": "#/components/schemas/ThreadMessage"}}
        }
      },
      "ReplyRequest": {
        "type": "object",
        "required": ["text"],
        "properties": {"text": {"type": "string", "minLength": 1}}
      },
      "Action": {
        "type": "object",
        "properties": {
          "id": {"type": "string"},
          "member_id": {"type": "string"},
          "phone": {"type": "string"},
          "kind": {"type": "string"},
          "target": {"type": "string"},
          "event": {"type": "string"},
          "value": {"type": "string"},
          "channel": {"type": "string"},
          "created_at": {"type": "string"}
        }
      },
      "ActionPage": {
        "type": "object",
        "properties": {
          "actions": {"type": "array", "items": {"$ref": "#/components/schemas/Action"}},
          "next_cursor": {"type": "string"}
        }
      },
      "AuditEntry": {
        "type": "object",
        "properties": {
          "id": {"type": "string"},
          "actor": {"type": "string"},
          "action": {"type": "string"},
          "member_id": {"type": "string"},
          "detail": {"type": "string"},
          "created_at": {"type": "string"}
        }
      },
      "AuditPage": {
        "type": "object",
        "properties": {
          "entries": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntry"}},
          "next_cursor": {"type": "string"}
        }
      },
      "UpdateMemberRequest": {
        "type": "object",
        "properties": {
          "fields": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 500}},
          "add_tags": {"type": "array", "items": {"type": "string"}},
          "remove_tags": {"type": "array", "items": {"type": "string"}}
        }
      },
      "StartFlowRequest": {
        "type": "object",
        "required": ["flow", "channel"],
        "properties": {"flow": {"type": "string"}, "channel": {"type": "string"}}
      },
      "Queued": {
        "type": "object",
        "properties": {"event_id": {"type": "string"}, "status": {"type": "string"}}
      },
      "Token": {
        "type": "object",
        "properties": {
          "id": {"type": "string"},
          "name": {"type": "string"},
          "role": {"type": "string", "enum": ["owner", "organizer", "chapter_leader", "viewer"]},
          "chapter": {"type": "string"},
          "created_by": {"type": "string"},
          "created_at": {"type": "string"},
          "revoked_at": {"type": "string"}
        }
      },
      "TokenList": {
        "type": "object",
        "properties": {"tokens": {"type": "array", "items": {"$ref": "#/components/schemas/Token"}}}
      },
      "CreateTokenRequest": {
        "type": "object",
        "required": ["role"],
        "properties": {
          "role": {"type": "string", "enum": ["owner", "organizer", "chapter_leader", "viewer"]},
          "chapter": {"type": "string", "description": "Required for chapter_leader, refused otherwise"},
          "name": {"type": "string", "maxLength": 200}
        }
      },
      "CreatedToken": {
        "type": "object",
        "properties": {
          "id": {"type": "string"},
          "token": {"type": "string"},
          "role": {"type": "string"},
          "chapter": {"type": "string"},
          "name": {"type": "string"}
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
