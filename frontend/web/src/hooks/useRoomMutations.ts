import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { api, ApiError, type Tier } from "../api";
import { errorText } from "../lib/errors";
import { usePayments } from "../payments/PaymentsProvider";
import { keys } from "../queryKeys";
import { hapticTap } from "../telegram";
import { useIntentKeys } from "./intentKeys";

/** Take a seat at a tier's table (the fee is debited). */
export function useJoinTierMutation() {
  const queryClient = useQueryClient();
  const intents = useIntentKeys();
  const intent = (tierId: number) => ["join-tier", tierId];
  return useMutation({
    mutationFn: (tierId: number) => api.joinTier(tierId, intents.keyFor(intent(tierId))),
    onSuccess: (_room, tierId) => {
      intents.done(intent(tierId));
      void queryClient.invalidateQueries({ queryKey: keys.me() });
    },
  });
}

/** Open a hero room; if the player already runs one, that room is the answer. */
export function useHeroCreateMutation() {
  const queryClient = useQueryClient();
  const intents = useIntentKeys();
  const intent = (fee: number) => ["hero-create", fee];
  return useMutation({
    mutationFn: async (fee: number) => {
      try {
        return await api.heroCreate(fee, intents.keyFor(intent(fee)));
      } catch (err) {
        if (err instanceof ApiError && err.code === "hero_room_exists") {
          const current = await queryClient
            .fetchQuery({ queryKey: keys.currentRoom(), queryFn: api.currentRoom, staleTime: 0 })
            .catch(() => null);
          if (current?.room) return current.room;
        }
        throw err;
      }
    },
    onSuccess: (_room, fee) => intents.done(intent(fee)),
  });
}

/** Join a hero room by its key (the fee is debited). */
export function useHeroJoinMutation() {
  const queryClient = useQueryClient();
  const intents = useIntentKeys();
  const intent = (roomKey: string) => ["hero-join", roomKey];
  return useMutation({
    mutationFn: (roomKey: string) => api.heroJoin(roomKey, intents.keyFor(intent(roomKey))),
    onSuccess: (_room, roomKey) => {
      intents.done(intent(roomKey));
      void queryClient.invalidateQueries({ queryKey: keys.me() });
    },
  });
}

/** Leave a gathering room: the fee comes back and the tier's occupancy changes. ``onLeft`` runs
 * at once on success, even when the room screen has already gone (the socket's "closed" event
 * can unmount it first — a callback given to ``mutate`` would then never run). */
export function useLeaveRoomMutation(onLeft?: () => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (roomId: number) => api.leaveRoom(roomId),
    onSuccess: () => {
      onLeft?.();
      void queryClient.invalidateQueries();
    },
  });
}

/** The organizer starts a hero room. */
export function useStartRoomMutation() {
  return useMutation({ mutationFn: (roomId: number) => api.startRoom(roomId) });
}

/** Refusals a join answers by itself: a short balance asks for a top-up (then tries again), a
 * player already seated goes to that room. Returns whether ``err`` was one of them. */
function followJoinRefusal(
  err: unknown,
  go: (roomId: number) => void,
  askTopUp: (shortfall: number, retry: () => void) => void,
  retry: () => void,
): boolean {
  if (!(err instanceof ApiError)) return false;
  if (err.code === "insufficient_balance") {
    const details = err.details as { shortfall?: number } | undefined;
    askTopUp(details?.shortfall ?? 1, retry);
    return true;
  }
  if (err.code === "already_in_room") {
    const details = err.details as { room_id?: number } | undefined;
    if (details?.room_id) go(details.room_id);
    return true;
  }
  return false;
}

function isJoinRefusal(err: unknown): boolean {
  return (
    err instanceof ApiError &&
    (err.code === "insufficient_balance" || err.code === "already_in_room")
  );
}

/** Join a tier from a screen: to the room on success; a short balance asks for a top-up. */
export function useJoinTier() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { askTopUp } = usePayments();
  const mutation = useJoinTierMutation();
  const busy = useRef(false); // a double tap within one frame joins once

  const join = (tier: Pick<Tier, "id">) => {
    if (busy.current) return;
    busy.current = true;
    hapticTap();
    mutation.mutate(tier.id, {
      onSuccess: (room) => navigate(`/room/${room.id}`),
      onError: (err) =>
        followJoinRefusal(
          err,
          (roomId) => navigate(`/room/${roomId}`),
          askTopUp,
          () => join(tier),
        ),
      onSettled: () => {
        busy.current = false;
      },
    });
  };
  const joining = mutation.isPending ? mutation.variables : null;
  const error =
    mutation.error && !isJoinRefusal(mutation.error) ? errorText(mutation.error, t) : null;
  return { join, joining, error };
}

/** Create a hero room or join one by key, from the Create screen. */
export function useHeroRoom() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { askTopUp } = usePayments();
  const create = useHeroCreateMutation();
  const join = useHeroJoinMutation();
  const busy = useRef(false); // a double submit within one frame sends one request
  const go = (roomId: number) => navigate(`/room/${roomId}`);
  const release = () => {
    busy.current = false;
  };

  const createRoom = (fee: number) => {
    if (busy.current) return;
    busy.current = true;
    join.reset();
    create.mutate(fee, { onSuccess: (room) => go(room.id), onSettled: release });
  };
  const joinRoom = (roomKey: string) => {
    if (busy.current) return;
    busy.current = true;
    create.reset();
    join.mutate(roomKey, {
      onSuccess: (room) => go(room.id),
      onError: (err) => followJoinRefusal(err, go, askTopUp, () => joinRoom(roomKey)),
      onSettled: release,
    });
  };
  const failure = create.error ?? (join.error && !isJoinRefusal(join.error) ? join.error : null);
  return {
    createRoom,
    joinRoom,
    /** Clear the last error (not while a request runs: its answer must still arrive). */
    reset: () => {
      if (busy.current) return;
      create.reset();
      join.reset();
    },
    pending: create.isPending || join.isPending,
    error: failure ? errorText(failure, t) : null,
  };
}
