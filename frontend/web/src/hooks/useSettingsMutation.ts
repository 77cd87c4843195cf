import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, type Me, type MeSettings } from "../api";
import { keys } from "../queryKeys";

/** Change the player's settings (``PATCH /api/v1/me``). The switch moves at once (the cached
 * profile is changed before the server answers), goes back if the server refuses, and the
 * profile the server returns replaces the cached one. */
export function useSettingsMutation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (settings: MeSettings) => api.updateSettings(settings),
    onMutate: async (settings) => {
      await client.cancelQueries({ queryKey: keys.me() });
      const before = client.getQueryData<Me>(keys.me());
      if (before) client.setQueryData<Me>(keys.me(), { ...before, ...settings });
      return { before };
    },
    onError: (_error, _settings, context) => {
      if (context?.before) client.setQueryData<Me>(keys.me(), context.before);
    },
    onSuccess: (profile) => {
      client.setQueryData<Me>(keys.me(), profile);
    },
  });
}
