// @ts-check
/**
 * @file Shapes of the JSON the server sends and takes (see GET /api/openapi.json and
 * docs/signalling.md). Types only: import them with
 * `/** @typedef {import('./types.js').CallView} CallView *\/`.
 */

/** @typedef {'care_staff' | 'hub_nurse' | 'clinician' | 'admin'} Role */
/** @typedef {'P1' | 'P2' | 'P3' | 'P4' | 'P5'} Level */
/** @typedef {'none' | 'worried' | 'very_worried'} Concern */
/** @typedef {'alert' | 'confusion' | 'voice' | 'pain' | 'unresponsive'} Consciousness */
/**
 * @typedef {'queued' | 'claimed' | 'in_consultation' | 'wrap_up' | 'closed' | 'cancelled' | 'abandoned'} CallState
 */

/** @typedef {{id: number, name: string}} HomeRef */
/** @typedef {{id: number, name: string}} PersonRef */

/**
 * @typedef {object} UserView
 * @property {number} id
 * @property {string} username
 * @property {string} display_name
 * @property {Role} role
 * @property {number | null} [care_home_id]
 */

/**
 * @typedef {object} LoginResponse
 * @property {string} token
 * @property {string} token_type
 * @property {string} expires_at
 * @property {number} expires_in
 * @property {Role} role
 * @property {HomeRef | null} [care_home]
 * @property {UserView} user
 */

/**
 * @typedef {object} ResidentView
 * @property {number} id
 * @property {HomeRef} care_home
 * @property {string} nhs_number
 * @property {string} given_name
 * @property {string} family_name
 * @property {string} preferred_name
 * @property {string} initials
 * @property {string} date_of_birth
 * @property {number} age
 * @property {string} room
 * @property {number | null} [care_plan_version]
 * @property {string} updated_at
 */

/**
 * @typedef {object} ResidentBrief
 * @property {number} id
 * @property {string} given_name
 * @property {string} family_name
 * @property {string} preferred_name
 * @property {string} room
 * @property {string} initials
 * @property {number} age
 */

/**
 * Observations as typed on the tablet; every one optional.
 * @typedef {object} ObservationsInput
 * @property {number | null} [respiration_rate]
 * @property {number | null} [spo2]
 * @property {number | null} [spo2_scale]
 * @property {boolean | null} [on_oxygen]
 * @property {number | null} [systolic_bp]
 * @property {number | null} [pulse]
 * @property {Consciousness | null} [consciousness]
 * @property {number | null} [temperature_c]
 */

/**
 * @typedef {object} AssessmentInput
 * @property {string[]} [red_flags]
 * @property {string[]} [soft_signs]
 * @property {Concern} [concern]
 * @property {ObservationsInput} [observations]
 * @property {number | null} [baseline_news2]
 */

/**
 * @typedef {object} News2View
 * @property {number} total
 * @property {Record<string, number | null>} items
 * @property {number} recorded
 * @property {boolean} complete
 * @property {'low' | 'low_medium' | 'medium' | 'high' | null} [band]
 * @property {number} spo2_scale
 * @property {string} summary  Plain words, e.g. "NEWS2 at least 3 (5 of 7 recorded)".
 */

/** @typedef {{rule: number, level: Level, text: string}} ReasonView */

/**
 * @typedef {object} TriageView
 * @property {News2View} news2
 * @property {Level} level
 * @property {string} level_name
 * @property {ReasonView[]} reasons
 * @property {number} target_answer_seconds
 * @property {boolean} dial_999
 */

/**
 * One call as every screen shows it.
 * @typedef {object} CallView
 * @property {number} id
 * @property {CallState} state
 * @property {Level} level
 * @property {string} level_name
 * @property {Level} assigned_level
 * @property {number} breaches
 * @property {number} target_seconds
 * @property {string | null} [next_deadline]
 * @property {string} arrived_at
 * @property {string | null} [answered_at]
 * @property {number | null} [position]
 * @property {ResidentBrief} resident
 * @property {HomeRef} care_home
 * @property {News2View} news2
 * @property {ReasonView[]} reasons
 * @property {string[]} soft_signs
 * @property {string[]} red_flags
 * @property {Concern} concern
 * @property {string} situation
 * @property {boolean} dial_999
 * @property {PersonRef | null} [holder]
 * @property {PersonRef[]} invited
 * @property {number | null} [care_plan_version]
 */

/**
 * @typedef {object} OutcomeView
 * @property {string} code
 * @property {string} label
 * @property {string} plan
 * @property {string | null} [reobserve_at]
 * @property {PersonRef[]} clinicians
 * @property {PersonRef} recorded_by
 * @property {string} recorded_at
 * @property {boolean | null} [remained_at_residence]
 */

/**
 * @typedef {object} TimelineEntry
 * @property {number} seq
 * @property {string} at
 * @property {string} kind
 * @property {string} state
 * @property {PersonRef | null} [actor]
 * @property {string | null} [role]
 * @property {Record<string, unknown>} detail
 */

/**
 * @typedef {object} SnapshotView
 * @property {number | null} [version]
 * @property {CarePlanSummary | null} [summary]
 * @property {Staleness | null} [stale]
 */

/**
 * A call in full (GET /api/calls/{id}).
 * @typedef {object} CallDetail
 * @property {number} id
 * @property {CallState} state
 * @property {Level} level
 * @property {Level} initial_level
 * @property {number} breaches
 * @property {string} arrived_at
 * @property {string | null} [answered_at]
 * @property {string | null} [ended_at]
 * @property {ResidentBrief} resident
 * @property {HomeRef} care_home
 * @property {string} situation
 * @property {AssessmentInput} assessment
 * @property {TriageView} triage
 * @property {SnapshotView} care_plan
 * @property {PersonRef | null} [holder]
 * @property {OutcomeView | null} [outcome]
 * @property {TimelineEntry[]} timeline
 * @property {CallView | null} [live]  The live queue row while the call is open.
 */

/** @typedef {{on: string, by: string, due?: string | null}} Reviewed */

/**
 * @typedef {object} EmergencyPlan
 * @property {'recommended' | 'not_recommended' | 'unknown'} cpr
 * @property {'sustain_life' | 'balanced' | 'symptom_control' | 'unknown'} clinical_focus
 * @property {boolean | null} [for_hospital_admission]
 * @property {string} [preferred_place_of_care]
 * @property {string} [preferred_place_of_death]
 * @property {boolean} adrt
 * @property {string} [adrt_details]
 * @property {{name: string, relationship?: string, phone?: string, when_to_call?: string} | null} [lpa_health_welfare]
 * @property {boolean} end_of_life
 * @property {boolean} anticipatory_medicines
 * @property {Reviewed} reviewed
 */

/**
 * @typedef {object} Baseline
 * @property {number | null} [usual_news2]
 * @property {Record<string, number | string | null>} [usual_vitals]
 * @property {number} spo2_scale
 * @property {string} [spo2_target]
 * @property {string} [cognition]
 * @property {boolean} dementia
 * @property {boolean} delirium_history
 * @property {Reviewed} reviewed
 */

/**
 * The care plan summary (docs/clinical-rules.md §7); only the blocks the screens read are typed.
 * @typedef {object} CarePlanSummary
 * @property {EmergencyPlan} emergency_plan
 * @property {Baseline} baseline
 * @property {Record<string, unknown> & {allergies?: {substance: string, reaction?: string}[], no_known_allergies: boolean}} clinical
 * @property {Record<string, unknown>} people
 * @property {Record<string, unknown>} this_is_me
 */

/**
 * @typedef {{emergency_plan: boolean, baseline: boolean, clinical: boolean, people: boolean, this_is_me: boolean}} Staleness
 */

/**
 * GET /api/residents/{id}/care-plan. `version` and `summary` are null when there is no plan.
 * @typedef {object} CarePlanView
 * @property {number} resident_id
 * @property {number | null} [version]
 * @property {CarePlanSummary | null} [summary]
 * @property {Staleness | null} [stale]
 * @property {string | null} [author]
 * @property {string | null} [saved_at]
 */

/** GET /api/service: the hub's own details. @typedef {{hub_phone: string}} ServiceInfo */

/** @typedef {{urls: string[], username: string, credential: string}} IceServer */
/** @typedef {{ice_servers: IceServer[], ttl_seconds: number}} IceServers */

/**
 * One person in a call's video (`media.participants`).
 * @typedef {object} MediaParticipant
 * @property {number} user_id
 * @property {string} name
 * @property {Role} role
 * @property {string} stream_id
 * @property {boolean} connected
 * @property {boolean} muted
 * @property {boolean} camera_off
 * @property {string} joined_at
 */

/**
 * One participant's connection over the last few seconds, both ways (`media.quality`).
 * `loss` and `rx_kbps` are what reaches the relay from them (their upload); `down_*` and
 * `tx_kbps` what the relay sends them (their download). `level` is the plain verdict every
 * screen shows: good; weak (video reduced or paused, sound carries on); bad (sound breaks up).
 * @typedef {object} MediaQuality
 * @property {'media.quality'} type
 * @property {number} call_id
 * @property {number} user_id
 * @property {number | null} rtt_ms
 * @property {number | null} loss
 * @property {number} rx_kbps
 * @property {number} tx_kbps
 * @property {number | null} down_estimate_kbps
 * @property {number | null} down_loss
 * @property {number} videos_paused
 * @property {number} videos_forwarded
 * @property {'good' | 'weak' | 'bad'} level
 */

/**
 * A still photo of a call, without its image (`GET /api/calls/{id}/photos`, `call.photo`).
 * The image itself is `GET /api/calls/{id}/photos/{photo_id}`, an audited read.
 * @typedef {object} CallPhoto
 * @property {number} id
 * @property {PersonRef} taken_by
 * @property {string} taken_at
 * @property {'image/jpeg' | 'image/png'} content_type
 * @property {number} bytes
 * @property {number | null} [width]
 * @property {number | null} [height]
 */

/** @typedef {{photos: CallPhoto[], max_bytes: number}} PhotoList */

/**
 * "Phone the home" for a call (`GET`/`POST /api/calls/{id}/phone`).
 * @typedef {object} PhoneView
 * @property {number} call_id
 * @property {HomeRef} care_home
 * @property {string} phone
 * @property {number} offer_after_seconds Seconds of lost video before the phone is offered.
 * @property {{at: string, by: PersonRef, phone?: string | null} | null} [continued_by_phone]
 */

export {};
