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
    "/v1/channels": {
      "get": {
        "operationId": "listChannels",
        "summary": "Enabled channels with their settings; credentials by name only, never their values",
        "responses": {
          "200": {"description": "The channels", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChannelList"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"}
        }
      },
      "post": {
        "operationId": "createChannel",
        "summary": "Add a channel: the workspace file's channel object, credentials in settings (write-only, sealed with the server's key), checked by its carrier",
        "parameters": [{"$ref": "#/components/parameters/IdempotencyKey"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Channel"}}}},
        "responses": {
          "201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChannelItem"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "409": {"$ref": "#/components/responses/Conflict"}
        }
      }
    },
    "/v1/channels/{slug}": {
      "put": {
        "operationId": "replaceChannel",
        "summary": "Replace a channel whole; credentials left out are kept",
        "parameters": [{"$ref": "#/components/parameters/Slug"}, {"$ref": "#/components/parameters/IfMatch"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Channel"}}}},
        "responses": {
          "200": {"description": "Replaced", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChannelItem"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "412": {"$ref": "#/components/responses/Stale"}
        }
      },
      "delete": {
        "operationId": "disableChannel",
        "summary": "Disable a channel (never deleted: history refers to it)",
        "parameters": [{"$ref": "#/components/parameters/Slug"}, {"$ref": "#/components/parameters/IfMatch"}],
        "responses": {
          "200": {"description": "Disabled", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "412": {"$ref": "#/components/responses/Stale"}
        }
      }
    },
    "/v1/keywords": {
      "get": {
        "operationId": "listKeywords",
        "summary": "The organization's keywords (a chapter leader: those of no chapter or of theirs)",
        "responses": {
          "200": {"description": "The keywords", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/KeywordList"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"}
        }
      },
      "post": {
        "operationId": "createKeyword",
        "summary": "Add a keyword: the workspace file's keyword object, on one channel or every channel; live on every node within a second",
        "parameters": [{"$ref": "#/components/parameters/IdempotencyKey"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Keyword"}}}},
        "responses": {
          "201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/KeywordItem"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "409": {"$ref": "#/components/responses/Conflict"}
        }
      }
    },
    "/v1/keywords/{id}": {
      "put": {
        "operationId": "replaceKeyword",
        "summary": "Replace a keyword whole",
        "parameters": [{"$ref": "#/components/parameters/Id"}, {"$ref": "#/components/parameters/IfMatch"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Keyword"}}}},
        "responses": {
          "200": {"description": "Replaced", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/KeywordItem"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "412": {"$ref": "#/components/responses/Stale"}
        }
      },
      "delete": {
        "operationId": "deleteKeyword",
        "summary": "Remove a keyword",
        "parameters": [{"$ref": "#/components/parameters/Id"}, {"$ref": "#/components/parameters/IfMatch"}],
        "responses": {
          "200": {"description": "Deleted", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "412": {"$ref": "#/components/responses/Stale"}
        }
      }
    },
    "/v1/chapters/{slug}": {
      "put": {
        "operationId": "replaceChapter",
        "summary": "Replace a chapter whole (the body's slug, when given, is the path's)",
        "parameters": [{"$ref": "#/components/parameters/Slug"}, {"$ref": "#/components/parameters/IfMatch"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChapterDefinition"}}}},
        "responses": {
          "200": {"description": "Replaced", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChapterItem"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "412": {"$ref": "#/components/responses/Stale"}
        }
      },
      "delete": {
        "operationId": "archiveChapter",
        "summary": "Archive a chapter (members' history keeps naming it); refused while it has live sub-chapters",
        "parameters": [{"$ref": "#/components/parameters/Slug"}, {"$ref": "#/components/parameters/IfMatch"}],
        "responses": {
          "200": {"description": "Archived", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"$ref": "#/components/responses/Conflict"},
          "412": {"$ref": "#/components/responses/Stale"}
        }
      }
    },
    "/v1/events": {
      "get": {
        "operationId": "listEvents",
        "summary": "Events not archived (a chapter leader: those of no chapter or of theirs)",
        "responses": {
          "200": {"description": "The events", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventList"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"}
        }
      },
      "post": {
        "operationId": "createEvent",
        "summary": "Add an event: the workspace file's event object",
        "parameters": [{"$ref": "#/components/parameters/IdempotencyKey"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}},
        "responses": {
          "201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventItem"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "409": {"$ref": "#/components/responses/Conflict"}
        }
      }
    },
    "/v1/events/{slug}": {
      "put": {
        "operationId": "replaceEvent",
        "summary": "Replace an event whole; moving its time makes its follow-ups due again",
        "parameters": [{"$ref": "#/components/parameters/Slug"}, {"$ref": "#/components/parameters/IfMatch"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Event"}}}},
        "responses": {
          "200": {"description": "Replaced", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventItem"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "412": {"$ref": "#/components/responses/Stale"}
        }
      },
      "delete": {
        "operationId": "archiveEvent",
        "summary": "Archive an event",
        "parameters": [{"$ref": "#/components/parameters/Slug"}, {"$ref": "#/components/parameters/IfMatch"}],
        "responses": {
          "200": {"description": "Archived", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "412": {"$ref": "#/components/responses/Stale"}
        }
      }
    },
    "/v1/flows": {
      "get": {
        "operationId": "listFlows",
        "summary": "Flows, each with its live and latest version",
        "responses": {
          "200": {"description": "The flows", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FlowList"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"}
        }
      },
      "post": {
        "operationId": "saveFlow",
        "summary": "Store a flow (the workspace file's flow object) as a new version, validated first; a definition equal to a stored version is that version. Live only with activate=true or a later activate",
        "parameters": [
          {"name": "activate", "in": "query", "schema": {"type": "boolean", "default": false}},
          {"$ref": "#/components/parameters/IdempotencyKey"}
        ],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Flow"}}}},
        "responses": {
          "201": {"description": "Stored", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SavedFlow"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "409": {"$ref": "#/components/responses/KeyReused"}
        }
      }
    },
    "/v1/flows/validate": {
      "post": {
        "operationId": "validateFlow",
        "summary": "Check a flow against the organization without storing it; 400 names the step and field at fault",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Flow"}}}},
        "responses": {
          "200": {"description": "Valid", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FlowValidation"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"}
        }
      }
    },
    "/v1/flows/{slug}/versions": {
      "get": {
        "operationId": "listFlowVersions",
        "summary": "A flow's versions, newest first, and which is live",
        "parameters": [{"$ref": "#/components/parameters/Slug"}],
        "responses": {
          "200": {"description": "The versions", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FlowVersionList"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/v1/flows/{slug}/versions/{version}": {
      "get": {
        "operationId": "getFlowVersion",
        "summary": "One version's definition",
        "parameters": [
          {"$ref": "#/components/parameters/Slug"},
          {"name": "version", "in": "path", "required": true, "schema": {"type": "integer", "minimum": 1}}
        ],
        "responses": {
          "200": {"description": "The version", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FlowVersionDetail"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/v1/flows/{slug}/activate": {
      "post": {
        "operationId": "activateFlow",
        "summary": "Make a version live; members already in the flow finish on the version they began",
        "parameters": [{"$ref": "#/components/parameters/Slug"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActivateFlowRequest"}}}},
        "responses": {
          "200": {"description": "Live", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FlowVersionList"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/v1/flows/{slug}/rollback": {
      "post": {
        "operationId": "rollBackFlow",
        "summary": "Make the version before the live one live again",
        "parameters": [{"$ref": "#/components/parameters/Slug"}],
        "responses": {
          "200": {"description": "Rolled back", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FlowVersionList"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/v1/flows/{slug}/pause": {
      "post": {
        "operationId": "pauseFlow",
        "summary": "No version live: keywords naming the flow do nothing until one is activated",
        "parameters": [{"$ref": "#/components/parameters/Slug"}],
        "responses": {
          "200": {"description": "Paused", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FlowVersionList"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/v1/flows/{slug}/answers": {
      "get": {
        "operationId": "listFlowAnswers",
        "summary": "Every valid answer to the flow's questions from members within reach (roles that read personal data); format=csv exports (audited)",
        "parameters": [
          {"$ref": "#/components/parameters/Slug"},
          {"name": "step", "in": "query", "schema": {"type": "string"}},
          {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv"]}},
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000}},
          {"$ref": "#/components/parameters/Cursor"}
        ],
        "responses": {
          "200": {"description": "One page of answers", "headers": {"X-Next-Cursor": {"schema": {"type": "string"}, "description": "CSV: the cursor of the next page"}}, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FlowAnswerPage"}}, "text/csv": {"schema": {"type": "string"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/v1/organization": {
      "get": {
        "operationId": "getOrganization",
        "summary": "The token's organization and its settings",
        "responses": {
          "200": {"description": "The organization", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Organization"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"}
        }
      },
      "patch": {
        "operationId": "updateOrganization",
        "summary": "Change the name, default language, time zone, quiet hours or texts (help, confirmations, default reply)",
        "parameters": [{"$ref": "#/components/parameters/IfMatch"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrganizationUpdate"}}}},
        "responses": {
          "200": {"description": "The organization as changed", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Organization"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "412": {"$ref": "#/components/responses/Stale"}
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
      },
      "post": {
        "operationId": "createChapter",
        "summary": "Add a chapter: the workspace file's chapter object (its parent must exist)",
        "parameters": [{"$ref": "#/components/parameters/IdempotencyKey"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChapterDefinition"}}}},
        "responses": {
          "201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChapterItem"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "409": {"$ref": "#/components/responses/Conflict"}
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
    "/v1/broadcasts/preview": {
      "post": {
        "operationId": "previewBroadcast",
        "summary": "Reach, opted-out and quiet-hours counts, encoding, segments and cost of a draft; nothing is written",
        "parameters": [{"name": "counts", "in": "query", "schema": {"type": "boolean", "default": true}, "description": "false: the texts only (encoding, UCS-2 characters, segments), without counting the audience; cheap enough for every keystroke"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BroadcastRequest"}}}},
        "responses": {
          "200": {"description": "The preview", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BroadcastPreview"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"}
        }
      }
    },
    "/v1/broadcasts": {
      "get": {
        "operationId": "listBroadcasts",
        "summary": "Broadcasts, newest first (a chapter leader's: those of their chapters)",
        "parameters": [{"$ref": "#/components/parameters/Cursor"}, {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}}],
        "responses": {
          "200": {"description": "A page", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BroadcastList"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"}
        }
      },
      "post": {
        "operationId": "createBroadcast",
        "summary": "Send to an audience now or at send_at; above the organization's approval count it waits for a second person",
        "parameters": [{"$ref": "#/components/parameters/IdempotencyKey"}],
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BroadcastRequest"}}}},
        "responses": {
          "200": {"description": "The Idempotency-Key was seen: the broadcast it made", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Broadcast"}}}},
          "201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Broadcast"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "409": {"$ref": "#/components/responses/KeyReused"}
        }
      }
    },
    "/v1/broadcasts/{id}": {
      "get": {
        "operationId": "getBroadcast",
        "summary": "A broadcast with its stats: queued, sent, delivered, failed by code, expired, held, suppressed, replies, opt-outs, actions",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "The broadcast", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Broadcast"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/v1/broadcasts/{id}/events": {
      "get": {
        "operationId": "streamBroadcast",
        "summary": "Server-sent events: an event 'stats' with the broadcast and its stats every second, the last once it is done or cancelled (at most an hour; reconnect)",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "text/event-stream; each event's data is a Broadcast", "content": {"text/event-stream": {"schema": {"type": "string"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/v1/broadcasts/{id}/pause": {
      "post": {
        "operationId": "pauseBroadcast",
        "summary": "Stop releasing its messages; queued ones wait again",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "The broadcast after it", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Broadcast"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"description": "The broadcast's status does not allow it", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      }
    },
    "/v1/broadcasts/{id}/resume": {
      "post": {
        "operationId": "resumeBroadcast",
        "summary": "Release its messages again",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "The broadcast after it", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Broadcast"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"description": "The broadcast's status does not allow it", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      }
    },
    "/v1/broadcasts/{id}/cancel": {
      "post": {
        "operationId": "cancelBroadcast",
        "summary": "Stop every unsent message at once",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "The broadcast after it", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Broadcast"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"description": "The broadcast's status does not allow it", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        }
      }
    },
    "/v1/broadcasts/{id}/approve": {
      "post": {
        "operationId": "approveBroadcast",
        "summary": "Approve a broadcast waiting for a second person (not its author, not a chapter leader)",
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {
          "200": {"description": "The broadcast after it", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Broadcast"}}}},
          "400": {"$ref": "#/components/responses/Invalid"},
          "401": {"$ref": "#/components/responses/Unauthenticated"},
          "403": {"$ref": "#/components/responses/Forbidden"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "409": {"description": "The broadcast's status does not allow it", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
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
      "Id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9]+$"}},
      "Slug": {"name": "slug", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"}},
      "IfMatch": {"name": "If-Match", "in": "header", "schema": {"type": "string"}, "description": "The revision the write replaces; 412 when the item has changed since"}
    },
    "securitySchemes": {
      "bearer": {"type": "http", "scheme": "bearer"}
    },
    "responses": {
      "Invalid": {"description": "A parameter is malformed; field names it", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Unauthenticated": {"description": "No valid bearer token", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Forbidden": {"description": "Outside the token's role or chapters; says nothing of whether the resource exists", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "KeyReused": {"description": "The Idempotency-Key was used for another request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "NotFound": {"description": "No such resource in the organization", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Conflict": {"description": "The organization already has it, or the Idempotency-Key was used for another request", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Stale": {"description": "If-Match named a revision the item no longer has; read it again", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
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
          "time_zone": {"type": "string"},
          "revision": {"type": "integer"},
          "quiet_hours": {"$ref": "#/components/schemas/QuietHours"},
          "texts": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Texts"}},
          "broadcast_approval_above": {"type": "string", "description": "int64 as a string: a broadcast to more recipients waits for a second person's approval; 0: never"}
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
      "ActionFilter": {
        "type": "object",
        "properties": {
          "kind": {"type": "string", "enum": ["petition", "pledge", "rsvp", "check_in", "story", "custom"]},
          "target": {"type": "string"},
          "event": {"type": "string"},
          "value": {"type": "string"}
        }
      },
      "FieldFilter": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "values": {"type": "array", "items": {"type": "string"}}}
      },
      "AudienceRule": {
        "type": "object",
        "properties": {
          "chapters": {"type": "array", "items": {"type": "string"}},
          "tags": {"type": "array", "items": {"type": "string"}},
          "languages": {"type": "array", "items": {"type": "string"}},
          "fields": {"type": "array", "items": {"$ref": "#/components/schemas/FieldFilter"}},
          "took": {"type": "array", "items": {"$ref": "#/components/schemas/ActionFilter"}},
          "not_took": {"type": "array", "items": {"$ref": "#/components/schemas/ActionFilter"}}
        }
      },
      "Audience": {
        "type": "object",
        "properties": {
          "chapters": {"type": "array", "items": {"type": "string"}},
          "tags": {"type": "array", "items": {"type": "string"}},
          "languages": {"type": "array", "items": {"type": "string"}},
          "fields": {"type": "array", "items": {"$ref": "#/components/schemas/FieldFilter"}},
          "took": {"type": "array", "items": {"$ref": "#/components/schemas/ActionFilter"}},
          "not_took": {"type": "array", "items": {"$ref": "#/components/schemas/ActionFilter"}},
          "exclude": {"type": "array", "items": {"$ref": "#/components/schemas/AudienceRule"}}
        }
      },
      "BroadcastRequest": {
        "type": "object",
        "required": ["name", "variants", "channels"],
        "properties": {
          "name": {"type": "string"},
          "audience": {"$ref": "#/components/schemas/Audience"},
          "variants": {"type": "object", "additionalProperties": {"type": "string"}, "description": "language tag -> text with merge fields; the organization's default language is required"},
          "channels": {"type": "array", "items": {"type": "string"}},
          "send_at": {"type": "string", "format": "date-time"},
          "stale_after": {"type": "string", "format": "date-time"},
          "replace_look_alikes": {"type": "boolean"},
          "ignore_quiet_hours": {"type": "boolean"},
          "reply_flow": {"type": "string"},
          "reply_window_minutes": {"type": "integer", "minimum": 0}
        }
      },
      "VariantPreview": {
        "type": "object",
        "properties": {
          "language": {"type": "string"},
          "encoding": {"type": "string", "enum": ["gsm7", "ucs2"]},
          "ucs2_characters": {"type": "array", "items": {"type": "string"}},
          "characters": {"type": "integer"},
          "segments": {"type": "integer"},
          "recipients": {"type": "string", "description": "int64 as a string"},
          "look_alikes_replaced": {"type": "integer"},
          "segments_without_replacement": {"type": "integer"},
          "merge_fields": {"type": "boolean"}
        }
      },
      "ChannelCost": {
        "type": "object",
        "properties": {
          "channel": {"type": "string"},
          "recipients": {"type": "string"},
          "segments": {"type": "string"},
          "segment_price": {"type": "number"},
          "currency": {"type": "string"},
          "cost": {"type": "number"}
        }
      },
      "BroadcastPreview": {
        "type": "object",
        "properties": {
          "reach": {"type": "string"},
          "opted_out": {"type": "string"},
          "held_by_quiet_hours": {"type": "string"},
          "total_segments": {"type": "string"},
          "segments_saved": {"type": "string"},
          "variants": {"type": "array", "items": {"$ref": "#/components/schemas/VariantPreview"}},
          "channels": {"type": "array", "items": {"$ref": "#/components/schemas/ChannelCost"}}
        }
      },
      "BroadcastStats": {
        "type": "object",
        "description": "int64 counts as strings",
        "properties": {
          "held": {"type": "string"}, "queued": {"type": "string"}, "sending": {"type": "string"},
          "sent": {"type": "string"}, "delivered": {"type": "string"}, "undelivered": {"type": "string"},
          "failed": {"type": "string"}, "expired": {"type": "string"}, "suppressed": {"type": "string"},
          "cancelled": {"type": "string"}, "unknown": {"type": "string"},
          "failed_by_code": {"type": "object", "additionalProperties": {"type": "string"}},
          "replies": {"type": "string"}, "opt_outs": {"type": "string"}, "actions": {"type": "string"}
        }
      },
      "Broadcast": {
        "type": "object",
        "properties": {
          "id": {"type": "string", "description": "int64 as a string"},
          "name": {"type": "string"},
          "status": {"type": "string", "enum": ["awaiting_approval", "sending", "paused", "cancelled", "done"]},
          "recipients": {"type": "string"},
          "fanned_out": {"type": "string"},
          "fan_out_done": {"type": "boolean"},
          "channels": {"type": "array", "items": {"type": "string"}},
          "variants": {"type": "object", "additionalProperties": {"type": "string"}},
          "send_at": {"type": "string"},
          "stale_after": {"type": "string"},
          "created_at": {"type": "string"},
          "finished_at": {"type": "string"},
          "created_by": {"type": "string"},
          "approved_by": {"type": "string"},
          "reply_flow": {"type": "string"},
          "reply_window_minutes": {"type": "integer"},
          "quiet_hours": {"type": "boolean"},
          "replace_look_alikes": {"type": "boolean"},
          "stats": {"$ref": "#/components/schemas/BroadcastStats"}
        }
      },
      "BroadcastList": {
        "type": "object",
        "properties": {
          "broadcasts": {"type": "array", "items": {"$ref": "#/components/schemas/Broadcast"}},
          "next_cursor": {"type": "string"}
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
      "Status": {
        "type": "object",
        "properties": {"status": {"type": "string"}}
      },
      "QuietHours": {
        "type": "object",
        "properties": {"start": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"}, "end": {"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$"}}
      },
      "Texts": {
        "type": "object",
        "properties": {
          "help": {"type": "string"},
          "opt_out_confirmation": {"type": "string"},
          "opt_out_all_confirmation": {"type": "string"},
          "opt_in_confirmation": {"type": "string"},
          "default_reply": {"type": "string"}
        }
      },
      "OrganizationUpdate": {
        "type": "object",
        "description": "What is present changes; a language in texts is replaced whole, and all-empty texts remove it",
        "properties": {
          "name": {"type": "string", "maxLength": 200},
          "default_language": {"type": "string"},
          "time_zone": {"type": "string", "description": "An IANA zone"},
          "quiet_hours": {"$ref": "#/components/schemas/QuietHours"},
          "texts": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Texts"}},
          "broadcast_approval_above": {"type": "string", "description": "int64 as a string: a broadcast to more recipients waits for a second person's approval; 0: never"}
        }
      },
      "Channel": {
        "type": "object",
        "description": "As in the workspace file (docs/WORKSPACE.md); credentials go in settings and are never returned",
        "required": ["slug", "carrier", "sender", "country"],
        "properties": {
          "slug": {"type": "string"},
          "carrier": {"type": "string"},
          "sender": {"type": "string"},
          "country": {"type": "string"},
          "segments_per_second": {"type": "number"},
          "settings": {"type": "object", "additionalProperties": {"type": "string"}},
          "segment_price": {"type": "number", "minimum": 0, "description": "What one segment costs, for broadcast cost estimates (0: unknown)"},
          "currency": {"type": "string", "description": "ISO 4217, such as USD"}
        }
      },
      "ChannelItem": {
        "type": "object",
        "properties": {
          "id": {"type": "string"},
          "revision": {"type": "integer"},
          "channel": {"$ref": "#/components/schemas/Channel"},
          "credentials": {"type": "array", "items": {"type": "string"}, "description": "Names of the credentials it holds"}
        }
      },
      "ChannelList": {
        "type": "object",
        "properties": {"channels": {"type": "array", "items": {"$ref": "#/components/schemas/ChannelItem"}}}
      },
      "Keyword": {
        "type": "object",
        "description": "As in the workspace file (docs/WORKSPACE.md)",
        "required": ["word"],
        "properties": {
          "word": {"type": "string"},
          "qualifier": {"type": "string"},
          "channels": {"type": "array", "maxItems": 1, "items": {"type": "string"}},
          "reply": {"type": "string"},
          "opt_in": {"type": "boolean"},
          "language": {"type": "string"},
          "flow": {"type": "string"},
          "chapter": {"type": "string"}
        }
      },
      "KeywordItem": {
        "type": "object",
        "properties": {"id": {"type": "string"}, "revision": {"type": "integer"}, "keyword": {"$ref": "#/components/schemas/Keyword"}}
      },
      "KeywordList": {
        "type": "object",
        "properties": {"keywords": {"type": "array", "items": {"$ref": "#/components/schemas/KeywordItem"}}}
      },
      "ChapterDefinition": {
        "type": "object",
        "required": ["slug", "name"],
        "properties": {
          "slug": {"type": "string"},
          "name": {"type": "string"},
          "parent": {"type": "string"},
          "postal_codes": {"type": "array", "items": {"type": "string"}},
          "country": {"type": "string"},
          "time_zone": {"type": "string"}
        }
      },
      "ChapterItem": {
        "type": "object",
        "properties": {"id": {"type": "string"}, "revision": {"type": "integer"}, "chapter": {"$ref": "#/components/schemas/ChapterDefinition"}}
      },
      "Event": {
        "type": "object",
        "description": "As in the workspace file (docs/FLOWS.md)",
        "required": ["slug", "title", "starts_at"],
        "properties": {
          "slug": {"type": "string"},
          "title": {"type": "object", "additionalProperties": {"type": "string"}},
          "starts_at": {"type": "string", "description": "Local time, 2026-12-05T10:00"},
          "ends_at": {"type": "string"},
          "time_zone": {"type": "string"},
          "place": {"type": "string"},
          "chapter": {"type": "string"},
          "checkin_code": {"type": "string"},
          "follow_up_after_minutes": {"type": "integer"},
          "attended_flow": {"type": "string"},
          "absent_flow": {"type": "string"},
          "checked_in_text": {"type": "object", "additionalProperties": {"type": "string"}}
        }
      },
      "EventItem": {
        "type": "object",
        "properties": {"id": {"type": "string"}, "revision": {"type": "integer"}, "event": {"$ref": "#/components/schemas/Event"}}
      },
      "EventList": {
        "type": "object",
        "properties": {"events": {"type": "array", "items": {"$ref": "#/components/schemas/EventItem"}}}
      },
      "Flow": {
        "type": "object",
        "description": "As in the workspace file; the steps are described in docs/FLOWS.md",
        "required": ["slug", "steps"],
        "properties": {
          "slug": {"type": "string"},
          "name": {"type": "string"},
          "keywords_interrupt": {"type": "boolean"},
          "steps": {"type": "array", "items": {"type": "object", "required": ["id", "kind"], "properties": {"id": {"type": "string"}, "kind": {"type": "string"}}}}
        }
      },
      "FlowSummary": {
        "type": "object",
        "properties": {
          "slug": {"type": "string"},
          "name": {"type": "string"},
          "active_version": {"type": "integer", "description": "Absent while paused"},
          "latest_version": {"type": "integer"},
          "updated_at": {"type": "string"}
        }
      },
      "FlowList": {
        "type": "object",
        "properties": {"flows": {"type": "array", "items": {"$ref": "#/components/schemas/FlowSummary"}}}
      },
      "FlowVersion": {
        "type": "object",
        "properties": {
          "version": {"type": "integer"},
          "digest": {"type": "string"},
          "created_by": {"type": "string"},
          "created_at": {"type": "string"},
          "active": {"type": "boolean"}
        }
      },
      "FlowVersionList": {
        "type": "object",
        "properties": {"slug": {"type": "string"}, "versions": {"type": "array", "items": {"$ref": "#/components/schemas/FlowVersion"}}}
      },
      "FlowVersionDetail": {
        "type": "object",
        "properties": {"slug": {"type": "string"}, "version": {"type": "integer"}, "flow": {"$ref": "#/components/schemas/Flow"}}
      },
      "SavedFlow": {
        "type": "object",
        "properties": {
          "slug": {"type": "string"},
          "version": {"type": "integer"},
          "created": {"type": "boolean", "description": "false for a repeat with the same Idempotency-Key"},
          "active_version": {"type": "integer"}
        }
      },
      "ActivateFlowRequest": {
        "type": "object",
        "required": ["version"],
        "properties": {"version": {"type": "integer", "minimum": 1}}
      },
      "FlowValidation": {
        "type": "object",
        "properties": {"valid": {"type": "boolean"}}
      },
      "FlowAnswer": {
        "type": "object",
        "properties": {
          "id": {"type": "string"},
          "member_id": {"type": "string"},
          "phone": {"type": "string"},
          "flow": {"type": "string"},
          "version": {"type": "integer"},
          "step": {"type": "string"},
          "field": {"type": "string"},
          "value": {"type": "string"},
          "channel": {"type": "string"},
          "created_at": {"type": "string"}
        }
      },
      "FlowAnswerPage": {
        "type": "object",
        "properties": {
          "answers": {"type": "array", "items": {"$ref": "#/components/schemas/FlowAnswer"}},
          "next_cursor": {"type": "string"}
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
