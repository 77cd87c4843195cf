/** Generated from docs/openapi.yaml by scripts/api-types.mjs (npm run api-types). Do not edit. */

export interface paths {
  "/api/v1/auth/telegram": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** @description Exchange Telegram ``initData`` for a JWT. */
    post: operations["auth_telegram_create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/bonus": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description The caller's active bonus run (null when none). */
    get: operations["bonus_retrieve"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/bonus/cancel": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post: operations["bonus_cancel_create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/bonus/start": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post: operations["bonus_start_create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/leaderboards/donations/{board}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description Donation leaderboards: all-time, a week (Europe/Berlin ISO week), top referrers. */
    get: operations["leaderboards_donations_retrieve"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/leaderboards/games/{period}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description Top 10 by Stars won: today, this week (leaderboard time zone) or all time. */
    get: operations["leaderboards_games_retrieve"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/me": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description The caller's profile; PATCH changes his settings. */
    get: operations["me_retrieve"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /** @description The caller's profile; PATCH changes his settings. */
    patch: operations["me_partial_update"];
    trace?: never;
  };
  "/api/v1/payments/{payment_id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations["payments_retrieve"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/payments/{payment_id}/cancel": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post: operations["payments_cancel_create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/payments/charges": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description The caller's Stars payments (top-ups and donations), newest first, a page at a time. */
    get: operations["payments_charges_list"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/payments/invoices": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** @description Create a Stars invoice (top-up or donation) for ``Telegram.WebApp.openInvoice``. */
    post: operations["payments_invoices_create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/payments/ledger": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description The caller's Stars history, newest first, a page at a time. */
    get: operations["payments_ledger_list"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/payments/pending": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description Unfinished invoices for the "Continue" / "Cancel" card. */
    get: operations["payments_pending_list"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/payments/presets": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * @description Donation packages and custom-amount limits, each with its tons now and the weekly rank
     *     it would give the caller.
     */
    get: operations["payments_presets_retrieve"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/payments/presets/preview": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * @description The weekly rank a custom donation amount would give the caller (the donate sheet's
     *     preview while he types).
     */
    get: operations["payments_presets_preview_retrieve"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/payments/ton/topups": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** @description Order a Stars top-up paid in TON (send ``amount_nano`` with ``payload`` via TON Connect). */
    post: operations["payments_ton_topups_create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/payments/ton/topups/{topup_id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations["payments_ton_topups_retrieve"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/payments/ton/topups/{topup_id}/check": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** @description Look for the transfer now (the app calls this after the wallet says it was sent). */
    post: operations["payments_ton_topups_check_create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/referrals": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description My referral code, link, share text and a page of my referrals. */
    get: operations["referrals_retrieve"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/referrals/attach": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** @description Set my referrer — only allowed right after joining, and never changed later. */
    post: operations["referrals_attach_create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/rooms/{room_id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get: operations["rooms_retrieve"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/rooms/{room_id}/leave": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post: operations["rooms_leave_create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/rooms/{room_id}/start": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post: operations["rooms_start_create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/rooms/current": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description The room the caller is in (or runs) right now, to restore the screen after a reload. */
    get: operations["rooms_current_retrieve"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/rooms/hero": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** @description For ``APIView`` subclasses whose POST must take effect once per ``Idempotency-Key``. */
    post: operations["rooms_hero_create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/rooms/hero/join": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** @description For ``APIView`` subclasses whose POST must take effect once per ``Idempotency-Key``. */
    post: operations["rooms_hero_join_create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/rooms/history": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description The rooms the caller sat in, newest first, a page at a time. */
    get: operations["rooms_history_list"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/rooms/tiers": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description The six standard tiers with live occupancy. */
    get: operations["rooms_tiers_list"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/rooms/tiers/{tier_id}/join": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** @description Pay the fee and take a seat in a gathering room of this tier. */
    post: operations["rooms_tiers_join_create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/rules": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * @description The game's rules as the operator set them: room shares and limits, the bonus run and the
     *     anti-cheat line (the Rules & terms and bonus screens show these).
     */
    get: operations["rules_retrieve"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/telemetry/ws-reconnect": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** @description The Mini App reports one WebSocket reconnect and how long it took. */
    post: operations["telemetry_ws_reconnect_create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/wallets/ton": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** @description The caller's linked TON wallet (GET) or unlink it (DELETE). */
    get: operations["wallets_ton_retrieve"];
    put?: never;
    post?: never;
    /** @description The caller's linked TON wallet (GET) or unlink it (DELETE). */
    delete: operations["wallets_ton_destroy"];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/wallets/ton/payload": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** @description A one-time payload for TON Connect's ``tonProof`` request. */
    post: operations["wallets_ton_payload_create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/wallets/ton/verify": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** @description Verify a TON Connect ``ton_proof`` and link the wallet to the caller. */
    post: operations["wallets_ton_verify_create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /** @description A ``rooms.bonus.BonusRunProgress``. */
    BonusRun: {
      id: number;
      status: string;
      taps: number;
      target_taps: number;
      reward_stars: number;
      /** Format: date-time */
      started_at: string;
      /** Format: date-time */
      expires_at: string;
    };
    BonusRunEnvelope: {
      run: components["schemas"]["BonusRun"] | null;
    };
    CustomAmount: {
      min_stars: number;
      max_stars: number;
    };
    DonationLeaderboardOutput: {
      limit: number;
      offset: number;
      /** @description Whether a page follows this one. */
      has_more: boolean;
      board: string;
      /** @description Board `week` only. */
      week_key: string | null;
      items: components["schemas"]["DonationRow"][];
      me: components["schemas"]["DonationMe"];
    };
    DonationMe: {
      /** @description Null when not on the board. */
      rank: number | null;
      /** @description A decimal string. */
      tons: string;
      /** @description Board `referrals`. */
      referrals_count?: number;
    };
    DonationPreset: {
      id: number;
      place: number;
      /** @description In the caller's language. */
      title: string;
      stars: number;
      /** @description Tons this package counts now. */
      readonly tons: string;
      /** @description The caller's weekly rank after it. */
      weekly_rank_after: number;
    };
    DonationPreviewOutput: {
      stars: number;
      /** @description Tons this amount counts now. */
      readonly tons: string;
      /** @description The caller's weekly rank after it. */
      weekly_rank_after: number;
      week_key: string;
    };
    DonationRow: {
      rank: number;
      tg_id: number;
      username: string;
      first_name: string;
      photo_url: string;
      /** @description A decimal string. */
      tons: string;
      /** @description Board `referrals`. */
      referrals_count?: number;
    };
    /** @description Every error the API answers (``chancetap.core.exceptions.error_body``). */
    Error: {
      /** @description Stable machine-readable code, e.g. `room_full`. */
      code: string;
      /** @description English text for logs and fallbacks. */
      message: string;
      /** @description Code-specific data (field errors, limits, retry_after). */
      details?: unknown;
    };
    GameLeaderboardOutput: {
      period: string;
      items: components["schemas"]["GameRow"][];
      me: components["schemas"]["GameMe"];
    };
    GameMe: {
      stars_won: number;
      wins: number;
    };
    GameRow: {
      rank: number;
      tg_id: number;
      username: string;
      first_name: string;
      photo_url: string;
      stars_won: number;
      wins: number;
    };
    HeroCreateInput: {
      fee: number;
    };
    HeroJoinInput: {
      key: string;
    };
    InvoiceCreateInput: {
      purpose: components["schemas"]["PurposeEnum"];
      stars?: number;
      preset_id?: number;
    };
    /**
     * @description * `standard` - Standard
     *     * `hero` - Hero
     * @enum {string}
     */
    KindEnum: "standard" | "hero";
    LedgerEntry: {
      id: number;
      kind: components["schemas"]["LedgerEntryKindEnum"];
      /** @description Signed Stars: credits > 0, debits < 0. */
      amount: number;
      balance_after: number;
      /** @description What caused it: `room`, `bonus_run`, `star_charge` (a Stars payment), `ton_topup` / `ton_transfer` (TON), `star_debt`, `staff_action`; empty when nothing. */
      cause_type: string;
      /** @description Its id (a room's id for `room`); empty when nothing. */
      cause_id: string;
      /** @description A note written with the entry; often empty. */
      memo: string;
      /** Format: date-time */
      created_at: string;
    };
    /**
     * @description * `topup` - Top-up
     *     * `entry_fee` - Entry fee
     *     * `prize` - Prize
     *     * `organizer_share` - Organizer share
     *     * `room_refund` - Room refund
     *     * `bonus_reward` - Bonus reward
     *     * `support_refund` - Support refund
     *     * `adjustment` - Adjustment
     *     * `debt_settlement` - Debt settlement
     * @enum {string}
     */
    LedgerEntryKindEnum:
      | "topup"
      | "entry_fee"
      | "prize"
      | "organizer_share"
      | "room_refund"
      | "bonus_reward"
      | "support_refund"
      | "adjustment"
      | "debt_settlement";
    LedgerListOutput: {
      limit: number;
      offset: number;
      /** @description Whether a page follows this one. */
      has_more: boolean;
      items: components["schemas"]["LedgerEntry"][];
    };
    /**
     * @description * `-239` - -239
     *     * `-3` - -3
     * @enum {string}
     */
    NetworkEnum: "-239" | "-3";
    OutputSerializerRulesBonus: {
      target_taps: number;
      duration_hours: number;
      reward_stars: number;
      cooldown_hours: number;
      min_paid_games: number;
    };
    OutputSerializerRulesHero: {
      max_players: number;
      target_taps: number;
      game_seconds: number;
      /** @description The room is cancelled and refunded when not started by then. */
      timeout_seconds: number;
      organizer_share_bp: number;
      winner_share_bp: number;
      min_fee: number;
      max_fee: number;
    };
    OutputSerializerRulesStandard: {
      max_players: number;
      min_players: number;
      gather_seconds: number;
      countdown_seconds: number;
      game_seconds: number;
      /** @description The house's share of the pool, in basis points (100 = 1 %). */
      house_share_bp: number;
    };
    PatchedMeSettingsInput: {
      /** @description Whether the bot tells me how each game I played ended. */
      notify_game_results?: boolean;
    };
    Payment: {
      /** Format: uuid */
      id: string;
      purpose: components["schemas"]["PurposeEnum"];
      stars: number;
      status: components["schemas"]["PaymentStatusEnum"];
      /** @description Empty until Telegram gave the link. */
      invoice_link: string;
      preset_id: number | null;
      /** @description Tons counted (donations, once paid). */
      readonly tons: string | null;
      /** Format: date-time */
      created_at: string;
      /** Format: date-time */
      paid_at: string | null;
    };
    /**
     * @description * `created` - Created
     *     * `paid` - Paid
     *     * `cancelled` - Cancelled
     *     * `refunded` - Refunded
     * @enum {string}
     */
    PaymentStatusEnum: "created" | "paid" | "cancelled" | "refunded";
    /**
     * @description * `gathering` - Gathering
     *     * `countdown` - Countdown
     *     * `playing` - Playing
     *     * `finished` - Finished
     *     * `cancelled` - Cancelled
     * @enum {string}
     */
    PhaseEnum: "gathering" | "countdown" | "playing" | "finished" | "cancelled";
    PresetListOutput: {
      presets: components["schemas"]["DonationPreset"][];
      custom: components["schemas"]["CustomAmount"];
      /** @description Tons per Star now. */
      readonly rate: string;
      week_key: string;
    };
    Profile: {
      tg_id: number;
      username: string;
      first_name: string;
      last_name: string;
      display_name: string;
      photo_url: string;
      language_code: string;
      is_premium: boolean;
      referrer_id: number | null;
      /** Format: date-time */
      created_at: string;
      balance: number;
      /** @description Stars owed from a refunded payment whose Stars were spent; credits settle it before they reach the balance. */
      debt: number;
      ton_wallet: components["schemas"]["TonWallet"] | null;
      readonly has_ton_wallet: boolean;
      stats: components["schemas"]["UserStats"];
      referral: components["schemas"]["ReferralCard"];
      bonus_run: components["schemas"]["BonusRun"] | null;
      /** @description The bot sends a message when a game I played ends (PATCH /me turns it off). */
      notify_game_results: boolean;
      /** @description Telegram refused the bot's last message (the player blocked the bot): no notifications until he opens the bot again. */
      readonly bot_blocked: boolean;
      /** @description Debug builds: the top-up sheet may finish a payment without Telegram. */
      dev_payments: boolean;
    };
    /**
     * @description * `topup` - Top-up
     *     * `donation` - Donation
     * @enum {string}
     */
    PurposeEnum: "topup" | "donation";
    Referral: {
      tg_id: number;
      username: string;
      first_name: string;
      photo_url: string;
      /** Format: date-time */
      created_at: string;
    };
    ReferralAttachInput: {
      code: string;
    };
    ReferralCard: {
      code: string;
      link: string;
      referrals_count: number;
      readonly referrals_tons: string;
    };
    ReferralPage: {
      limit: number;
      offset: number;
      /** @description Whether a page follows this one. */
      has_more: boolean;
      items: components["schemas"]["Referral"][];
      /** @description All of the caller's referrals. */
      total: number;
    };
    ReferralsOutput: {
      code: string;
      link: string;
      share_text: string;
      share_url: string;
      referrer_id: number | null;
      referrals: components["schemas"]["ReferralPage"];
    };
    Room: {
      id: number;
      kind: components["schemas"]["KindEnum"];
      phase: components["schemas"]["PhaseEnum"];
      fee: number;
      tier_id: number | null;
      /** @description Hero rooms: the key to share. */
      key: string | null;
      /** @description Hero rooms: a t.me link that opens the Mini App straight into joining (startapp=hero_<key>); null elsewhere. */
      readonly join_link: string | null;
      organizer_id: number | null;
      seated: number;
      max_players: number;
      /** @description Fees paid by the players seated now. */
      readonly pool: number;
      /** Format: date-time */
      deadline_at: string;
      /** Format: date-time */
      countdown_at: string | null;
      /** Format: date-time */
      started_at: string | null;
      /** Format: date-time */
      ends_at: string | null;
      winner_id: number | null;
      prize: number;
      readonly players: components["schemas"]["RoomPlayer"][];
    };
    RoomCoPlayer: {
      tg_id: number;
      first_name: string;
      taps: number;
    };
    RoomCurrentOutput: {
      room: components["schemas"]["Room"] | null;
    };
    RoomHistoryItem: {
      room_id: number;
      kind: components["schemas"]["KindEnum"];
      fee: number;
      phase: components["schemas"]["PhaseEnum"];
      /**
       * @description How the game ended for me: `refunded` (finished, nobody could win) and `cancelled` (never played) gave every fee back.
       *
       *     * `won` - Won
       *     * `lost` - Lost
       *     * `refunded` - Finished without a winner: every fee refunded
       *     * `cancelled` - Cancelled: every fee refunded
       *     * `in_progress` - Not over yet
       */
      result: components["schemas"]["RoomHistoryResultEnum"];
      /** @description My taps (0 until the game is settled). */
      taps: number;
      won: boolean;
      /** @description Stars I won (0 unless I won). */
      prize: number;
      /** @description Fees of the players seated: the pool of a finished game, what was refunded of a cancelled one. */
      pool: number;
      /** @description Players seated, me included. */
      players: number;
      /** @description The other players seated, in seat order (at most the room's seats). */
      co_players: components["schemas"]["RoomCoPlayer"][];
      /** Format: date-time */
      created_at: string;
      /** Format: date-time */
      finished_at: string | null;
    };
    RoomHistoryOutput: {
      limit: number;
      offset: number;
      /** @description Whether a page follows this one. */
      has_more: boolean;
      items: components["schemas"]["RoomHistoryItem"][];
    };
    /**
     * @description * `won` - Won
     *     * `lost` - Lost
     *     * `refunded` - Finished without a winner: every fee refunded
     *     * `cancelled` - Cancelled: every fee refunded
     *     * `in_progress` - Not over yet
     * @enum {string}
     */
    RoomHistoryResultEnum: "won" | "lost" | "refunded" | "cancelled" | "in_progress";
    RoomPlayer: {
      tg_id: number;
      seat: number;
      first_name: string;
      username: string;
      photo_url: string;
      taps: number;
      cheater: boolean;
    };
    RulesOutput: {
      standard: components["schemas"]["OutputSerializerRulesStandard"];
      hero: components["schemas"]["OutputSerializerRulesHero"];
      bonus: components["schemas"]["OutputSerializerRulesBonus"];
      /** @description More taps than this within the window … */
      cheat_limit: number;
      /** @description … mark the seat as a cheater's. */
      cheat_window_ms: number;
    };
    StarCharge: {
      /** @description Quote it to support (/paysupport). */
      charge_id: string;
      purpose: components["schemas"]["PurposeEnum"];
      stars: number;
      /** @description Donations: the TON they counted on the boards. */
      readonly tons: string;
      /** Format: date-time */
      paid_at: string;
      /** Format: date-time */
      refunded_at: string | null;
    };
    StarChargeListOutput: {
      limit: number;
      offset: number;
      /** @description Whether a page follows this one. */
      has_more: boolean;
      items: components["schemas"]["StarCharge"][];
    };
    TelegramLoginInput: {
      init_data: string;
    };
    TelegramLoginOutput: {
      /** @description Send as `Authorization: Bearer <token>`. */
      token: string;
      /** @description Seconds the token stays valid. */
      expires_in: number;
      /** @description This login created the account. */
      created: boolean;
      user: components["schemas"]["Profile"];
    };
    TierListOutput: {
      id: number;
      stars: number;
      /** @description Players in the room a new player joins. */
      waiting: number;
      max_players: number;
    };
    TonProofPayloadOutput: {
      payload: string;
      /** Format: date-time */
      expires_at: string;
    };
    TonTopup: {
      /** Format: uuid */
      id: string;
      stars: number;
      status: components["schemas"]["TonTopupStatusEnum"];
      /** @description Send the TON here. */
      readonly address: string;
      /** @description Nanotons to send (a decimal string). */
      amount_nano: string;
      comment: string;
      /** @description TON Connect message payload (BoC). */
      readonly payload: string;
      /** Format: date-time */
      expires_at: string;
      /** Format: date-time */
      paid_at: string | null;
    };
    TonTopupCreateInput: {
      stars: number;
    };
    /**
     * @description * `created` - Waiting for the transfer
     *     * `paid` - Paid
     *     * `expired` - Expired
     * @enum {string}
     */
    TonTopupStatusEnum: "created" | "paid" | "expired";
    TonWallet: {
      address: string;
      raw_address: string;
      wallet_version: string;
      network: string;
      /** Format: date-time */
      linked_at: string;
    };
    TonWalletVerifyInput: {
      address: string;
      network: components["schemas"]["NetworkEnum"];
      /** @default  */
      public_key: string;
      proof: {
        [key: string]: unknown;
      };
    };
    UserStats: {
      games_played: number;
      wins: number;
      stars_won: number;
      readonly tons_all_time: string;
      readonly tons_week: string;
      week_key: string;
    };
    WsReconnectInput: {
      duration_ms: number;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  auth_telegram_create: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["TelegramLoginInput"];
      };
    };
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["TelegramLoginOutput"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  bonus_retrieve: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["BonusRunEnvelope"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  bonus_cancel_create: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["BonusRunEnvelope"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  bonus_start_create: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["BonusRunEnvelope"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  leaderboards_donations_retrieve: {
    parameters: {
      query?: {
        /** @description Rows per page, 1–100. */
        limit?: number;
        /** @description Rows to skip. */
        offset?: number;
        week_key?: string;
      };
      header?: never;
      path: {
        board: "all-time" | "referrals" | "week";
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["DonationLeaderboardOutput"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  leaderboards_games_retrieve: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        period: "all-time" | "today" | "week";
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["GameLeaderboardOutput"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  me_retrieve: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Profile"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  me_partial_update: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        "application/json": components["schemas"]["PatchedMeSettingsInput"];
      };
    };
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Profile"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  payments_retrieve: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        payment_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Payment"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  payments_cancel_create: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        payment_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Payment"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  payments_charges_list: {
    parameters: {
      query?: {
        /** @description Rows per page, 1–100. */
        limit?: number;
        /** @description Rows to skip. */
        offset?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["StarChargeListOutput"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  payments_invoices_create: {
    parameters: {
      query?: never;
      header: {
        /** @description One key per intended action; repeating it replays the first answer. */
        "Idempotency-Key": string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["InvoiceCreateInput"];
      };
    };
    responses: {
      201: {
        headers: {
          /** @description Present when this is the stored answer to an earlier request with the key. */
          "Idempotent-Replayed"?: "true";
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Payment"];
        };
      };
      "4XX": {
        headers: {
          /** @description Present when this is the stored answer to an earlier request with the key. */
          "Idempotent-Replayed"?: "true";
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          /** @description Present when this is the stored answer to an earlier request with the key. */
          "Idempotent-Replayed"?: "true";
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  payments_ledger_list: {
    parameters: {
      query?: {
        /** @description Rows per page, 1–100. */
        limit?: number;
        /** @description Rows to skip. */
        offset?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["LedgerListOutput"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  payments_pending_list: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Payment"][];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  payments_presets_retrieve: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["PresetListOutput"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  payments_presets_preview_retrieve: {
    parameters: {
      query: {
        stars: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["DonationPreviewOutput"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  payments_ton_topups_create: {
    parameters: {
      query?: never;
      header: {
        /** @description One key per intended action; repeating it replays the first answer. */
        "Idempotency-Key": string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["TonTopupCreateInput"];
      };
    };
    responses: {
      201: {
        headers: {
          /** @description Present when this is the stored answer to an earlier request with the key. */
          "Idempotent-Replayed"?: "true";
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["TonTopup"];
        };
      };
      "4XX": {
        headers: {
          /** @description Present when this is the stored answer to an earlier request with the key. */
          "Idempotent-Replayed"?: "true";
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          /** @description Present when this is the stored answer to an earlier request with the key. */
          "Idempotent-Replayed"?: "true";
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  payments_ton_topups_retrieve: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        topup_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["TonTopup"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  payments_ton_topups_check_create: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        topup_id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["TonTopup"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  referrals_retrieve: {
    parameters: {
      query?: {
        /** @description Rows per page, 1–100. */
        limit?: number;
        /** @description Rows to skip. */
        offset?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ReferralsOutput"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  referrals_attach_create: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["ReferralAttachInput"];
      };
    };
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Profile"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  rooms_retrieve: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        room_id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Room"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  rooms_leave_create: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        room_id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Room"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  rooms_start_create: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        room_id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Room"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  rooms_current_retrieve: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["RoomCurrentOutput"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  rooms_hero_create: {
    parameters: {
      query?: never;
      header: {
        /** @description One key per intended action; repeating it replays the first answer. */
        "Idempotency-Key": string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["HeroCreateInput"];
      };
    };
    responses: {
      201: {
        headers: {
          /** @description Present when this is the stored answer to an earlier request with the key. */
          "Idempotent-Replayed"?: "true";
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Room"];
        };
      };
      "4XX": {
        headers: {
          /** @description Present when this is the stored answer to an earlier request with the key. */
          "Idempotent-Replayed"?: "true";
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          /** @description Present when this is the stored answer to an earlier request with the key. */
          "Idempotent-Replayed"?: "true";
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  rooms_hero_join_create: {
    parameters: {
      query?: never;
      header: {
        /** @description One key per intended action; repeating it replays the first answer. */
        "Idempotency-Key": string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["HeroJoinInput"];
      };
    };
    responses: {
      201: {
        headers: {
          /** @description Present when this is the stored answer to an earlier request with the key. */
          "Idempotent-Replayed"?: "true";
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Room"];
        };
      };
      "4XX": {
        headers: {
          /** @description Present when this is the stored answer to an earlier request with the key. */
          "Idempotent-Replayed"?: "true";
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          /** @description Present when this is the stored answer to an earlier request with the key. */
          "Idempotent-Replayed"?: "true";
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  rooms_history_list: {
    parameters: {
      query?: {
        /** @description Rows per page, 1–100. */
        limit?: number;
        /** @description Rows to skip. */
        offset?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["RoomHistoryOutput"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  rooms_tiers_list: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["TierListOutput"][];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  rooms_tiers_join_create: {
    parameters: {
      query?: never;
      header: {
        /** @description One key per intended action; repeating it replays the first answer. */
        "Idempotency-Key": string;
      };
      path: {
        tier_id: number;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      201: {
        headers: {
          /** @description Present when this is the stored answer to an earlier request with the key. */
          "Idempotent-Replayed"?: "true";
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Room"];
        };
      };
      "4XX": {
        headers: {
          /** @description Present when this is the stored answer to an earlier request with the key. */
          "Idempotent-Replayed"?: "true";
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          /** @description Present when this is the stored answer to an earlier request with the key. */
          "Idempotent-Replayed"?: "true";
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  rules_retrieve: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["RulesOutput"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  telemetry_ws_reconnect_create: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["WsReconnectInput"];
      };
    };
    responses: {
      /** @description No response body */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  wallets_ton_retrieve: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["TonWallet"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  wallets_ton_destroy: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description No response body */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  wallets_ton_payload_create: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["TonProofPayloadOutput"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  wallets_ton_verify_create: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["TonWalletVerifyInput"];
      };
    };
    responses: {
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["TonWallet"];
        };
      };
      "4XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      "5XX": {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
}
