/**
 * @module The JSON Schema of a compiled config (switchyard.json's `config`), generated from the zod ConfigSchema so
 * the router can check an uploaded release without bundling zod. Generated: do not edit; after changing schema.ts run
 * `npx tsx packages/ir/scripts/generate-config-json-schema.ts` (a test fails while it is out of date).
 * Not expressed here (zod refinements): a route names exactly one of `tier` and `model`.
 */
export const CONFIG_JSON_SCHEMA: Readonly<Record<string, unknown>> = {
  "type": "object",
  "properties": {
    "irVersion": {
      "type": "number",
      "const": 1
    },
    "environment": {
      "type": "string",
      "pattern": "^[A-Za-z][A-Za-z0-9._-]{0,63}$"
    },
    "providers": {
      "type": "object",
      "propertyNames": {
        "type": "string",
        "pattern": "^[A-Za-z][A-Za-z0-9._-]{0,63}$"
      },
      "additionalProperties": {
        "type": "object",
        "properties": {
          "kind": {
            "type": "string",
            "enum": [
              "openai",
              "anthropic",
              "mock"
            ]
          },
          "baseUrl": {
            "type": "string",
            "format": "uri"
          },
          "apiKey": {
            "type": "object",
            "properties": {
              "secret": {
                "type": "string",
                "pattern": "^[A-Z_][A-Z0-9_]*$"
              }
            },
            "required": [
              "secret"
            ],
            "additionalProperties": false
          },
          "headers": {
            "type": "object",
            "propertyNames": {
              "type": "string"
            },
            "additionalProperties": {
              "anyOf": [
                {
                  "type": "string"
                },
                {
                  "type": "object",
                  "properties": {
                    "secret": {
                      "type": "string",
                      "pattern": "^[A-Z_][A-Z0-9_]*$"
                    }
                  },
                  "required": [
                    "secret"
                  ],
                  "additionalProperties": false
                }
              ]
            }
          },
          "region": {
            "type": "string",
            "minLength": 1
          },
          "residency": {
            "type": "string",
            "enum": [
              "eu",
              "us",
              "any"
            ]
          },
          "selfHosted": {
            "type": "boolean"
          },
          "mock": {
            "type": "object",
            "properties": {
              "ttftMs": {
                "type": "integer",
                "minimum": 0,
                "maximum": 9007199254740991
              },
              "interChunkMs": {
                "type": "integer",
                "minimum": 0,
                "maximum": 9007199254740991
              },
              "failRate": {
                "type": "number",
                "minimum": 0,
                "maximum": 1
              },
              "failStatus": {
                "type": "integer",
                "minimum": 400,
                "maximum": 599
              },
              "reply": {
                "type": "string"
              }
            },
            "required": [
              "ttftMs",
              "interChunkMs",
              "failRate",
              "failStatus"
            ],
            "additionalProperties": false
          }
        },
        "required": [
          "kind",
          "headers",
          "selfHosted"
        ],
        "additionalProperties": false
      }
    },
    "models": {
      "type": "object",
      "propertyNames": {
        "type": "string",
        "pattern": "^[A-Za-z][A-Za-z0-9._-]{0,63}$"
      },
      "additionalProperties": {
        "type": "object",
        "properties": {
          "provider": {
            "type": "string",
            "pattern": "^[A-Za-z][A-Za-z0-9._-]{0,63}$"
          },
          "name": {
            "type": "string",
            "minLength": 1
          },
          "context": {
            "type": "integer",
            "exclusiveMinimum": 0,
            "maximum": 9007199254740991
          },
          "maxOutput": {
            "type": "integer",
            "exclusiveMinimum": 0,
            "maximum": 9007199254740991
          },
          "price": {
            "type": "object",
            "properties": {
              "input": {
                "type": "number",
                "minimum": 0
              },
              "output": {
                "type": "number",
                "minimum": 0
              }
            },
            "required": [
              "input",
              "output"
            ],
            "additionalProperties": false
          },
          "lifecycle": {
            "type": "string",
            "enum": [
              "ga",
              "preview",
              "experimental",
              "deprecated"
            ]
          },
          "sunset": {
            "type": "string",
            "format": "date",
            "pattern": "^(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))$"
          },
          "owner": {
            "type": "string",
            "minLength": 1
          },
          "capabilities": {
            "type": "array",
            "items": {
              "type": "string",
              "enum": [
                "tools",
                "vision",
                "json",
                "streaming",
                "reasoning"
              ]
            }
          }
        },
        "required": [
          "provider",
          "name",
          "context",
          "price",
          "lifecycle",
          "capabilities"
        ],
        "additionalProperties": false
      }
    },
    "tiers": {
      "type": "object",
      "propertyNames": {
        "type": "string",
        "pattern": "^[A-Za-z][A-Za-z0-9._-]{0,63}$"
      },
      "additionalProperties": {
        "type": "object",
        "properties": {
          "models": {
            "minItems": 1,
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "model": {
                  "type": "string",
                  "pattern": "^[A-Za-z][A-Za-z0-9._-]{0,63}$"
                },
                "weight": {
                  "type": "number"
                }
              },
              "required": [
                "model",
                "weight"
              ],
              "additionalProperties": false
            }
          },
          "strategy": {
            "type": "string",
            "enum": [
              "weighted",
              "latency",
              "cost",
              "least-busy"
            ]
          }
        },
        "required": [
          "models"
        ],
        "additionalProperties": false
      }
    },
    "routes": {
      "type": "object",
      "propertyNames": {
        "type": "string",
        "pattern": "^[A-Za-z][A-Za-z0-9._-]{0,63}$"
      },
      "additionalProperties": {
        "type": "object",
        "properties": {
          "tier": {
            "type": "string",
            "pattern": "^[A-Za-z][A-Za-z0-9._-]{0,63}$"
          },
          "model": {
            "type": "string",
            "pattern": "^[A-Za-z][A-Za-z0-9._-]{0,63}$"
          },
          "optimize": {
            "type": "string",
            "enum": [
              "cost",
              "latency",
              "quality"
            ]
          },
          "dataClass": {
            "type": "string",
            "enum": [
              "public",
              "internal",
              "confidential",
              "restricted"
            ]
          },
          "residency": {
            "type": "string",
            "enum": [
              "eu",
              "us",
              "any"
            ]
          },
          "fallback": {
            "type": "array",
            "items": {
              "anyOf": [
                {
                  "type": "object",
                  "properties": {
                    "tier": {
                      "type": "string",
                      "pattern": "^[A-Za-z][A-Za-z0-9._-]{0,63}$"
                    }
                  },
                  "required": [
                    "tier"
                  ],
                  "additionalProperties": false
                },
                {
                  "type": "object",
                  "properties": {
                    "model": {
                      "type": "string",
                      "pattern": "^[A-Za-z][A-Za-z0-9._-]{0,63}$"
                    }
                  },
                  "required": [
                    "model"
                  ],
                  "additionalProperties": false
                }
              ]
            }
          },
          "retry": {
            "type": "object",
            "properties": {
              "attempts": {
                "type": "integer",
                "exclusiveMinimum": 0,
                "maximum": 9007199254740991
              },
              "on": {
                "type": "array",
                "items": {
                  "type": "string",
                  "enum": [
                    "429",
                    "5xx",
                    "timeout",
                    "connection"
                  ]
                }
              },
              "backoffMs": {
                "type": "integer",
                "minimum": 0,
                "maximum": 9007199254740991
              },
              "maxRetryAfterMs": {
                "type": "integer",
                "minimum": 0,
                "maximum": 9007199254740991
              }
            },
            "required": [
              "attempts",
              "on",
              "backoffMs",
              "maxRetryAfterMs"
            ],
            "additionalProperties": false
          },
          "timeout": {
            "type": "object",
            "properties": {
              "firstTokenMs": {
                "type": "integer",
                "exclusiveMinimum": 0,
                "maximum": 9007199254740991
              },
              "totalMs": {
                "type": "integer",
                "exclusiveMinimum": 0,
                "maximum": 9007199254740991
              }
            },
            "additionalProperties": false
          },
          "longContext": {
            "type": "object",
            "properties": {
              "over": {
                "type": "integer",
                "exclusiveMinimum": 0,
                "maximum": 9007199254740991
              },
              "use": {
                "anyOf": [
                  {
                    "type": "object",
                    "properties": {
                      "tier": {
                        "type": "string",
                        "pattern": "^[A-Za-z][A-Za-z0-9._-]{0,63}$"
                      }
                    },
                    "required": [
                      "tier"
                    ],
                    "additionalProperties": false
                  },
                  {
                    "type": "object",
                    "properties": {
                      "model": {
                        "type": "string",
                        "pattern": "^[A-Za-z][A-Za-z0-9._-]{0,63}$"
                      }
                    },
                    "required": [
                      "model"
                    ],
                    "additionalProperties": false
                  }
                ]
              }
            },
            "required": [
              "over",
              "use"
            ],
            "additionalProperties": false
          },
          "validate": {
            "type": "array",
            "items": {
              "oneOf": [
                {
                  "type": "object",
                  "properties": {
                    "kind": {
                      "type": "string",
                      "const": "json"
                    }
                  },
                  "required": [
                    "kind"
                  ],
                  "additionalProperties": false
                },
                {
                  "type": "object",
                  "properties": {
                    "kind": {
                      "type": "string",
                      "const": "json-schema"
                    },
                    "schema": {
                      "type": "object",
                      "propertyNames": {
                        "type": "string"
                      },
                      "additionalProperties": {}
                    }
                  },
                  "required": [
                    "kind",
                    "schema"
                  ],
                  "additionalProperties": false
                },
                {
                  "type": "object",
                  "properties": {
                    "kind": {
                      "type": "string",
                      "const": "regex"
                    },
                    "pattern": {
                      "type": "string"
                    },
                    "flags": {
                      "type": "string"
                    }
                  },
                  "required": [
                    "kind",
                    "pattern",
                    "flags"
                  ],
                  "additionalProperties": false
                },
                {
                  "type": "object",
                  "properties": {
                    "kind": {
                      "type": "string",
                      "const": "non-empty"
                    }
                  },
                  "required": [
                    "kind"
                  ],
                  "additionalProperties": false
                }
              ]
            }
          },
          "canary": {
            "type": "object",
            "properties": {
              "model": {
                "type": "string",
                "pattern": "^[A-Za-z][A-Za-z0-9._-]{0,63}$"
              },
              "steps": {
                "minItems": 1,
                "type": "array",
                "items": {
                  "type": "number"
                }
              },
              "everyMs": {
                "type": "integer",
                "exclusiveMinimum": 0,
                "maximum": 9007199254740991
              },
              "guard": {
                "type": "object",
                "properties": {
                  "maxErrorRate": {
                    "type": "number",
                    "minimum": 0,
                    "maximum": 1
                  },
                  "maxP95Ms": {
                    "type": "number",
                    "exclusiveMinimum": 0
                  },
                  "minRequests": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 9007199254740991
                  }
                },
                "required": [
                  "minRequests"
                ],
                "additionalProperties": false
              },
              "stickyBy": {
                "anyOf": [
                  {
                    "type": "string",
                    "const": "user"
                  },
                  {
                    "type": "object",
                    "properties": {
                      "header": {
                        "type": "string",
                        "minLength": 1
                      }
                    },
                    "required": [
                      "header"
                    ],
                    "additionalProperties": false
                  }
                ]
              }
            },
            "required": [
              "model",
              "steps",
              "everyMs",
              "guard",
              "stickyBy"
            ],
            "additionalProperties": false
          },
          "requires": {
            "type": "array",
            "items": {
              "type": "string",
              "enum": [
                "tools",
                "vision",
                "json",
                "streaming",
                "reasoning"
              ]
            }
          },
          "owner": {
            "type": "string",
            "minLength": 1
          },
          "description": {
            "type": "string"
          },
          "logPayloads": {
            "type": "boolean"
          }
        },
        "required": [
          "optimize",
          "dataClass",
          "residency",
          "fallback",
          "retry",
          "timeout",
          "validate",
          "requires",
          "logPayloads"
        ],
        "additionalProperties": false
      }
    },
    "teams": {
      "type": "object",
      "propertyNames": {
        "type": "string",
        "pattern": "^[A-Za-z][A-Za-z0-9._-]{0,63}$"
      },
      "additionalProperties": {
        "type": "object",
        "properties": {
          "keys": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "secret": {
                  "type": "string",
                  "pattern": "^[A-Z_][A-Z0-9_]*$"
                }
              },
              "required": [
                "secret"
              ],
              "additionalProperties": false
            }
          },
          "routes": {
            "type": "array",
            "items": {
              "type": "string",
              "pattern": "^[A-Za-z][A-Za-z0-9._-]{0,63}$"
            }
          },
          "budget": {
            "type": "object",
            "properties": {
              "usd": {
                "type": "number"
              },
              "per": {
                "type": "string",
                "enum": [
                  "day",
                  "week",
                  "month"
                ]
              },
              "mode": {
                "type": "string",
                "enum": [
                  "hard",
                  "soft"
                ]
              },
              "alertAt": {
                "type": "array",
                "items": {
                  "type": "number",
                  "exclusiveMinimum": 0,
                  "maximum": 1
                }
              }
            },
            "required": [
              "usd",
              "per",
              "mode",
              "alertAt"
            ],
            "additionalProperties": false
          },
          "limits": {
            "type": "object",
            "properties": {
              "rpm": {
                "type": "number"
              },
              "tpm": {
                "type": "number"
              }
            },
            "additionalProperties": false
          },
          "owner": {
            "type": "string",
            "minLength": 1
          }
        },
        "required": [
          "keys",
          "routes"
        ],
        "additionalProperties": false
      }
    },
    "policies": {
      "type": "array",
      "items": {
        "type": "object",
        "properties": {
          "pack": {
            "type": "string",
            "minLength": 1
          },
          "severities": {
            "type": "object",
            "propertyNames": {
              "type": "string"
            },
            "additionalProperties": {
              "type": "string",
              "enum": [
                "error",
                "warning",
                "off"
              ]
            }
          },
          "options": {
            "type": "object",
            "propertyNames": {
              "type": "string"
            },
            "additionalProperties": {}
          }
        },
        "required": [
          "pack",
          "severities",
          "options"
        ],
        "additionalProperties": false
      }
    },
    "router": {
      "type": "object",
      "properties": {
        "maxBodyBytes": {
          "type": "integer",
          "exclusiveMinimum": 0,
          "maximum": 9007199254740991
        },
        "requestIdHeader": {
          "type": "string"
        }
      },
      "required": [
        "maxBodyBytes",
        "requestIdHeader"
      ],
      "additionalProperties": false
    },
    "telemetry": {
      "type": "object",
      "properties": {
        "jsonl": {
          "type": "object",
          "properties": {
            "path": {
              "type": "string",
              "minLength": 1
            },
            "maxBytes": {
              "type": "integer",
              "exclusiveMinimum": 0,
              "maximum": 9007199254740991
            },
            "keep": {
              "type": "integer",
              "minimum": 0,
              "maximum": 9007199254740991
            }
          },
          "required": [
            "path",
            "maxBytes",
            "keep"
          ],
          "additionalProperties": false
        },
        "otlp": {
          "type": "object",
          "properties": {
            "endpoint": {
              "type": "string",
              "format": "uri"
            },
            "headers": {
              "type": "object",
              "propertyNames": {
                "type": "string"
              },
              "additionalProperties": {
                "anyOf": [
                  {
                    "type": "string"
                  },
                  {
                    "type": "object",
                    "properties": {
                      "secret": {
                        "type": "string",
                        "pattern": "^[A-Z_][A-Z0-9_]*$"
                      }
                    },
                    "required": [
                      "secret"
                    ],
                    "additionalProperties": false
                  }
                ]
              }
            },
            "serviceName": {
              "type": "string",
              "minLength": 1
            },
            "maxQueue": {
              "type": "integer",
              "exclusiveMinimum": 0,
              "maximum": 9007199254740991
            },
            "timeoutMs": {
              "type": "integer",
              "exclusiveMinimum": 0,
              "maximum": 9007199254740991
            }
          },
          "required": [
            "endpoint",
            "headers",
            "serviceName",
            "maxQueue",
            "timeoutMs"
          ],
          "additionalProperties": false
        },
        "alerts": {
          "type": "object",
          "properties": {
            "webhook": {
              "type": "object",
              "properties": {
                "url": {
                  "type": "string",
                  "format": "uri"
                },
                "headers": {
                  "type": "object",
                  "propertyNames": {
                    "type": "string"
                  },
                  "additionalProperties": {
                    "anyOf": [
                      {
                        "type": "string"
                      },
                      {
                        "type": "object",
                        "properties": {
                          "secret": {
                            "type": "string",
                            "pattern": "^[A-Z_][A-Z0-9_]*$"
                          }
                        },
                        "required": [
                          "secret"
                        ],
                        "additionalProperties": false
                      }
                    ]
                  }
                }
              },
              "required": [
                "url",
                "headers"
              ],
              "additionalProperties": false
            }
          },
          "additionalProperties": false
        }
      },
      "additionalProperties": false
    }
  },
  "required": [
    "irVersion",
    "environment",
    "providers",
    "models",
    "tiers",
    "routes",
    "teams",
    "policies",
    "router"
  ],
  "additionalProperties": false
};
